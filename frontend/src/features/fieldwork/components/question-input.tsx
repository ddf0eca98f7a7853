import type { QuestionPublic } from '@/types/api';
import { cn } from '@/utils/cn';

import type { AnswerValue } from '../utils/answers';

const choice =
  'flex cursor-pointer items-center gap-3 rounded-lg px-3 py-2.5 text-sm ring-1 ring-inset ring-slate-200 hover:bg-slate-50 has-[:checked]:bg-brand-50 has-[:checked]:ring-brand-600';

function range(min: number, max: number): number[] {
  const out: number[] = [];
  for (let n = min; n <= max && out.length < 11; n += 1) out.push(n);
  return out;
}

/** One question, as a fieldset a screen reader announces with its number and label. */
export function QuestionInput({ question, index, value, onChange, invalid }: {
  question: QuestionPublic;
  index: number;
  value: AnswerValue | undefined;
  onChange: (value: AnswerValue | undefined) => void;
  invalid?: string;
}) {
  const name = `q-${question.code}`;
  const errorId = `${name}-error`;
  const legend = (
    <legend className="mb-3 text-sm font-medium text-slate-900">
      <span className="mr-2 text-slate-400">{index}.</span>
      {question.label}
      {question.required ? <span className="sr-only"> (required)</span> : <span className="ml-2 text-xs font-normal text-slate-500">optional</span>}
    </legend>
  );
  const error = invalid && (
    <p id={errorId} className="mt-2 text-xs font-medium text-red-600">{invalid}</p>
  );
  const described = invalid ? errorId : undefined;

  if (question.type === 'single_choice' || question.type === 'multi_choice') {
    const multi = question.type === 'multi_choice';
    const selected = Array.isArray(value) ? value : value === undefined ? [] : [String(value)];
    return (
      <fieldset aria-describedby={described}>
        {legend}
        <div className="grid gap-2 sm:grid-cols-2">
          {question.options.map((o) => (
            <label key={o.code} className={choice}>
              <input
                type={multi ? 'checkbox' : 'radio'}
                name={name}
                value={o.code}
                checked={selected.includes(o.code)}
                className="size-4 accent-brand-700"
                onChange={(e) => {
                  if (!multi) return onChange(o.code);
                  const next = e.target.checked ? [...selected, o.code] : selected.filter((c) => c !== o.code);
                  onChange(next.length ? next : undefined);
                }}
              />
              {o.label}
            </label>
          ))}
        </div>
        {error}
      </fieldset>
    );
  }

  if (question.type === 'scale' && question.min !== null && question.max !== null && question.max - question.min <= 10) {
    return (
      <fieldset aria-describedby={described}>
        {legend}
        <div className="flex flex-wrap gap-2">
          {range(question.min, question.max).map((n) => (
            <label key={n} className={cn(choice, 'w-12 justify-center px-0 font-medium tabular-nums')}>
              <input type="radio" name={name} value={n} checked={value === n} className="sr-only"
                onChange={() => onChange(n)} />
              {n}
            </label>
          ))}
        </div>
        <p className="mt-1 text-xs text-slate-500">From {question.min} (lowest) to {question.max} (highest)</p>
        {error}
      </fieldset>
    );
  }

  if (question.type === 'scale' || question.type === 'numeric') {
    return (
      <fieldset aria-describedby={described}>
        {legend}
        <input
          type="number"
          inputMode="decimal"
          aria-label={question.label}
          name={name}
          min={question.min ?? undefined}
          max={question.max ?? undefined}
          value={typeof value === 'number' ? value : ''}
          onChange={(e) => onChange(e.target.value === '' ? undefined : Number(e.target.value))}
          aria-invalid={invalid ? true : undefined}
          className="h-10 w-40 rounded-lg border-0 px-3 text-sm shadow-sm ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-brand-600"
        />
        {(question.min !== null || question.max !== null) && (
          <p className="mt-1 text-xs text-slate-500">
            {question.min !== null && question.max !== null ? `Between ${question.min} and ${question.max}` : question.min !== null ? `At least ${question.min}` : `At most ${question.max}`}
          </p>
        )}
        {error}
      </fieldset>
    );
  }

  return (
    <fieldset aria-describedby={described}>
      {legend}
      <textarea
        name={name}
        aria-label={question.label}
        value={typeof value === 'string' ? value : ''}
        onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)}
        aria-invalid={invalid ? true : undefined}
        rows={3}
        className="block w-full rounded-lg border-0 px-3 py-2 text-sm shadow-sm ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-brand-600"
      />
      {error}
    </fieldset>
  );
}
