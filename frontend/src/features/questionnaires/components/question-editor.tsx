import { useState, type FormEvent } from 'react';

import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { SelectField, TextField } from '@/components/ui/field';
import { describeError, fieldProblems } from '@/lib/errors';
import type { QuestionDef, QuestionPublic } from '@/types/api';

type Option = { code: string; en: string; fr: string; score: string };
export type QuestionForm = {
  code: string; skill: string; type: QuestionDef['type']; en: string; fr: string; required: boolean;
  weight: string; min: string; max: string; options: Option[]; showIf: QuestionDef['show_if'];
};

const TYPES: { value: QuestionDef['type']; label: string }[] = [
  { value: 'single_choice', label: 'Single choice' },
  { value: 'multi_choice', label: 'Multiple choice' },
  { value: 'scale', label: 'Scale' },
  { value: 'numeric', label: 'Number' },
  { value: 'text', label: 'Free text' },
];

export function blankQuestion(skill = ''): QuestionForm {
  return { code: '', skill, type: 'single_choice', en: '', fr: '', required: true, weight: '1', min: '', max: '',
    options: [{ code: '', en: '', fr: '', score: '0' }], showIf: null };
}

/**
 * An existing question in both languages, with its weight and option scores (the questions API gives them
 * to editors): saving it unchanged stores it unchanged (the API replaces the whole question).
 */
export function fromPublic(en: QuestionPublic, fr: QuestionPublic | undefined): QuestionForm {
  return {
    code: en.code, skill: en.skill, type: en.type as QuestionDef['type'], en: en.label, fr: fr?.label ?? '',
    required: en.required, weight: en.weight ?? '1', min: en.min?.toString() ?? '', max: en.max?.toString() ?? '',
    options: en.options.map((o, i) => ({ code: o.code, en: o.label, fr: fr?.options[i]?.label ?? '', score: o.score ?? '0' })),
    showIf: (en.show_if as QuestionDef['show_if']) ?? null,
  };
}

export function toDefinition(form: QuestionForm): QuestionDef {
  const choice = form.type === 'single_choice' || form.type === 'multi_choice';
  const ranged = form.type === 'scale' || form.type === 'numeric';
  return {
    code: form.code.trim(), skill: form.skill.trim(), type: form.type, label: { en: form.en, fr: form.fr },
    required: form.required, weight: form.weight || '1',
    min: ranged && form.min !== '' ? Number(form.min) : null,
    max: ranged && form.max !== '' ? Number(form.max) : null,
    options: choice ? form.options.map((o) => ({ code: o.code.trim(), label: { en: o.en, fr: o.fr }, score: o.score || '0' })) : [],
    show_if: form.showIf ?? null,
  };
}

export function QuestionEditor({ initial, skills, busy, error, onSave, onCancel, editing }: {
  initial: QuestionForm;
  skills: string[];
  busy: boolean;
  error: unknown;
  onSave: (question: QuestionDef) => void;
  onCancel: () => void;
  editing: boolean;
}) {
  const [form, setForm] = useState(initial);
  const set = <K extends keyof QuestionForm>(key: K, value: QuestionForm[K]) => setForm((f) => ({ ...f, [key]: value }));
  const setOption = (i: number, key: keyof Option, value: string) =>
    setForm((f) => ({ ...f, options: f.options.map((o, j) => (j === i ? { ...o, [key]: value } : o)) }));
  const choice = form.type === 'single_choice' || form.type === 'multi_choice';
  const ranged = form.type === 'scale' || form.type === 'numeric';
  const problems = fieldProblems(error);

  function submit(event: FormEvent) {
    event.preventDefault();
    onSave(toDefinition(form));
  }

  return (
    <form onSubmit={submit} className="space-y-4 rounded-lg bg-slate-50 p-4 ring-1 ring-slate-200" aria-label={editing ? 'Edit question' : 'New question'}>
      <div className="grid gap-4 sm:grid-cols-3">
        <TextField label="Code" value={form.code} onChange={(e) => set('code', e.target.value)} required pattern="[a-z][a-z0-9_]*"
          hint="Lowercase letters, digits, _" />
        <TextField label="Skill" value={form.skill} onChange={(e) => set('skill', e.target.value)} list="skill-codes" required />
        <datalist id="skill-codes">{skills.map((s) => <option key={s} value={s} />)}</datalist>
        <SelectField label="Type" value={form.type} onChange={(e) => set('type', e.target.value as QuestionDef['type'])}>
          {TYPES.map((t) => <option key={t.value} value={t.value}>{t.label}</option>)}
        </SelectField>
        <TextField label="Question (English)" value={form.en} onChange={(e) => set('en', e.target.value)} required className="sm:col-span-1" />
        <TextField label="Question (French)" value={form.fr} onChange={(e) => set('fr', e.target.value)} required />
        <TextField label="Weight" type="number" min={0} max={100} step="any" value={form.weight} onChange={(e) => set('weight', e.target.value)} />
        {ranged && (
          <>
            <TextField label="Minimum" type="number" step="any" value={form.min} onChange={(e) => set('min', e.target.value)} />
            <TextField label="Maximum" type="number" step="any" value={form.max} onChange={(e) => set('max', e.target.value)} />
          </>
        )}
        <label className="flex items-center gap-2 self-end pb-2 text-sm text-slate-700">
          <input type="checkbox" checked={form.required} onChange={(e) => set('required', e.target.checked)} className="size-4 accent-brand-700" />
          Required
        </label>
      </div>
      {choice && (
        <fieldset className="space-y-2">
          <legend className="text-sm font-medium text-slate-700">Options</legend>
          {form.options.map((o, i) => (
            <div key={i} className="grid gap-2 sm:grid-cols-[8rem_1fr_1fr_6rem_auto] sm:items-end">
              <TextField label={`Option ${i + 1} code`} value={o.code} onChange={(e) => setOption(i, 'code', e.target.value)} required />
              <TextField label="Label (English)" value={o.en} onChange={(e) => setOption(i, 'en', e.target.value)} required />
              <TextField label="Label (French)" value={o.fr} onChange={(e) => setOption(i, 'fr', e.target.value)} required />
              <TextField label="Score" type="number" min={0} step="any" value={o.score} onChange={(e) => setOption(i, 'score', e.target.value)} />
              <Button variant="ghost" size="sm" aria-label={`Remove option ${i + 1}`} disabled={form.options.length <= 1}
                onClick={() => set('options', form.options.filter((_, j) => j !== i))}>Remove</Button>
            </div>
          ))}
          <Button variant="secondary" size="sm" onClick={() => set('options', [...form.options, { code: '', en: '', fr: '', score: '0' }])}>
            Add option
          </Button>
        </fieldset>
      )}
      {error !== null && error !== undefined && (
        <Alert tone="error" title={describeError(error)}>
          {problems.length > 0 && <ul className="list-disc pl-5">{problems.map((p, i) => <li key={i}>{p.path ?? p.loc.join('.')}: {p.message}</li>)}</ul>}
        </Alert>
      )}
      <div className="flex justify-end gap-2">
        <Button variant="ghost" onClick={onCancel}>Cancel</Button>
        <Button type="submit" loading={busy}>{editing ? 'Save question' : 'Add question'}</Button>
      </div>
    </form>
  );
}
