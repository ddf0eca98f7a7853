import type { AnswerIn, QuestionPublic } from '@/types/api';

/** What the form holds per question code while the respondent answers. */
export type AnswerValue = string | number | string[];
export type Answers = Record<string, AnswerValue | undefined>;

function answered(value: AnswerValue | undefined): value is AnswerValue {
  if (value === undefined || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  return typeof value !== 'number' || Number.isFinite(value);
}

type ShowIf = { question?: string; equals?: string | number | null; in?: string[] | null; includes?: string | null };

function matches(rule: ShowIf, value: AnswerValue | undefined): boolean {
  if (!answered(value)) return false;
  if (rule.equals !== undefined && rule.equals !== null) {
    return Array.isArray(value) ? false : String(value) === String(rule.equals);
  }
  if (rule.in) return !Array.isArray(value) && rule.in.includes(String(value));
  if (rule.includes) return Array.isArray(value) && value.includes(rule.includes);
  return true;
}

/** The questions to show, in order: a show_if question appears when the earlier one it names matches. */
export function visibleQuestions(questions: QuestionPublic[], answers: Answers): QuestionPublic[] {
  const shown = new Set<string>();
  const out: QuestionPublic[] = [];
  for (const q of questions) {
    const rule = q.show_if as ShowIf | null;
    if (rule?.question && (!shown.has(rule.question) || !matches(rule, answers[rule.question]))) continue;
    shown.add(q.code);
    out.push(q);
  }
  return out;
}

/** Required visible questions left without an answer (their codes). */
export function missingRequired(questions: QuestionPublic[], answers: Answers): string[] {
  return visibleQuestions(questions, answers)
    .filter((q) => q.required && !answered(answers[q.code]))
    .map((q) => q.code);
}

/** A number outside a question's range, by code: the API would refuse it. */
export function outOfRange(questions: QuestionPublic[], answers: Answers): string[] {
  return visibleQuestions(questions, answers)
    .filter((q) => {
      const value = answers[q.code];
      if (typeof value !== 'number') return false;
      return (q.min !== null && value < q.min) || (q.max !== null && value > q.max);
    })
    .map((q) => q.code);
}

/** The answers to submit: visible, answered questions only (hidden ones are never sent). */
export function toAnswerList(questions: QuestionPublic[], answers: Answers): AnswerIn[] {
  return visibleQuestions(questions, answers)
    .filter((q) => answered(answers[q.code]))
    .map((q) => ({ question_id: q.id, value: answers[q.code] as AnswerValue }));
}
