import { describe, expect, it } from 'vitest';

import type { QuestionPublic } from '@/types/api';

import { missingRequired, outOfRange, toAnswerList, visibleQuestions } from './answers';

function q(code: string, extra: Partial<QuestionPublic> = {}): QuestionPublic {
  return { id: `id-${code}`, code, skill: 'digital', type: 'single_choice', label: code, required: true, min: null, max: null,
    options: [{ code: 'yes', label: 'Yes' }, { code: 'no', label: 'No' }], show_if: null, ...extra };
}

const questions = [
  q('computer'),
  q('usage', { type: 'multi_choice', show_if: { question: 'computer', equals: 'yes' }, options: [{ code: 'email', label: 'E' }, { code: 'web', label: 'W' }] }),
  q('email_skill', { type: 'scale', min: 1, max: 5, show_if: { question: 'usage', includes: 'email' } }),
  q('note', { type: 'text', required: false }),
];

describe('the form rules', () => {
  it('shows a question only when the earlier one it depends on matches', () => {
    expect(visibleQuestions(questions, {}).map((x) => x.code)).toEqual(['computer', 'note']);
    expect(visibleQuestions(questions, { computer: 'yes' }).map((x) => x.code)).toEqual(['computer', 'usage', 'note']);
    expect(visibleQuestions(questions, { computer: 'yes', usage: ['email'] }).map((x) => x.code)).toEqual(['computer', 'usage', 'email_skill', 'note']);
  });

  it('hides a chain when its first link stops matching', () => {
    expect(visibleQuestions(questions, { computer: 'no', usage: ['email'] }).map((x) => x.code)).toEqual(['computer', 'note']);
  });

  it('asks only for required questions that are shown', () => {
    expect(missingRequired(questions, {})).toEqual(['computer']);
    expect(missingRequired(questions, { computer: 'yes', usage: [] })).toEqual(['usage']);
  });

  it('flags numbers outside the range', () => {
    expect(outOfRange(questions, { computer: 'yes', usage: ['email'], email_skill: 9 })).toEqual(['email_skill']);
  });

  it('never sends answers of hidden questions', () => {
    const answers = toAnswerList(questions, { computer: 'no', usage: ['email'], note: 'hello' });
    expect(answers).toEqual([{ question_id: 'id-computer', value: 'no' }, { question_id: 'id-note', value: 'hello' }]);
  });
});
