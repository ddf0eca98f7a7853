import { useEffect, useRef, useState, type FormEvent } from 'react';

import { useSectors } from '@/api/get-sectors';
import { Alert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardHeader } from '@/components/ui/card';
import { SelectField, TextField } from '@/components/ui/field';
import { ErrorState, LoadingState } from '@/components/ui/states';
import { useOnline } from '@/hooks/use-online';
import type { QuestionsPublic, RespondentNew, SectorPublic } from '@/types/api';

import { usePublishedQuestionnaire } from '../api/get-published-questionnaire';
import { enqueue, sentResult, syncOutbox, type SentItem } from '../api/outbox';
import { missingRequired, outOfRange, toAnswerList, visibleQuestions, type Answers } from '../utils/answers';

import { QuestionInput } from './question-input';
import { SubmissionResultCard } from './submission-result';

type Draft = {
  key: string;
  startedAt: string;
  respondent: { name: string; phone: string; sector: string; region: string; language: 'en' | 'fr' };
  answers: Answers;
};

const DRAFT_KEY = 'skills.fieldwork.draft';
const PHONE = /^\+[1-9][0-9]{6,14}$/;

/** A new draft gets its Idempotency-Key at once: every send of this assessment, however repeated, carries it. */
function newDraft(): Draft {
  return {
    key: crypto.randomUUID(),
    startedAt: new Date().toISOString(),
    respondent: { name: '', phone: '', sector: '', region: '', language: 'en' },
    answers: {},
  };
}

function loadDraft(): Draft {
  try {
    const raw = localStorage.getItem(DRAFT_KEY);
    if (raw) return JSON.parse(raw) as Draft;
  } catch {
    // a damaged draft is dropped
  }
  return newDraft();
}

type Outcome = { kind: 'sent'; sent: SentItem } | { kind: 'queued'; name: string };

function Form({ questionnaire, sectors, userId }: { questionnaire: QuestionsPublic; sectors: SectorPublic[]; userId: string }) {
  const [draft, setDraft] = useState<Draft>(loadDraft);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saving, setSaving] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const online = useOnline();
  const summary = useRef<HTMLDivElement>(null);

  useEffect(() => {
    localStorage.setItem(DRAFT_KEY, JSON.stringify(draft));
  }, [draft]);

  const questions = questionnaire.questions;
  const visible = visibleQuestions(questions, draft.answers);
  const answeredCount = visible.filter((q) => draft.answers[q.code] !== undefined).length;

  function setRespondent(field: keyof Draft['respondent'], value: string) {
    setDraft((d) => ({ ...d, respondent: { ...d.respondent, [field]: value } }));
  }

  function validate(): Record<string, string> {
    const found: Record<string, string> = {};
    const r = draft.respondent;
    if (!r.name.trim()) found.name = 'Enter the respondent’s name.';
    if (!PHONE.test(r.phone.trim())) found.phone = 'A phone number with country code, e.g. +254700000001.';
    if (!r.sector) found.sector = 'Choose a sector.';
    for (const code of missingRequired(questions, draft.answers)) found[`q-${code}`] = 'This question needs an answer.';
    for (const code of outOfRange(questions, draft.answers)) found[`q-${code}`] = 'This number is outside the allowed range.';
    return found;
  }

  async function finish(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (saving) return;
    const found = validate();
    setErrors(found);
    if (Object.keys(found).length) {
      summary.current?.focus();
      return;
    }
    setSaving(true);
    try {
      const r = draft.respondent;
      const respondent: RespondentNew = {
        name: r.name.trim(), phone: r.phone.trim(), sector: r.sector, region: r.region.trim(), language: r.language,
      };
      await enqueue({
        key: draft.key,
        userId,
        respondentName: respondent.name,
        body: {
          questionnaire_version_id: questionnaire.questionnaire.version_id,
          respondent,
          answers: toAnswerList(questions, draft.answers),
          channel: 'web',
          started_at: draft.startedAt,
        },
      });
      if (navigator.onLine) await syncOutbox(userId).catch(() => null);
      const sent = await sentResult(draft.key);
      setOutcome(sent ? { kind: 'sent', sent } : { kind: 'queued', name: respondent.name });
      localStorage.removeItem(DRAFT_KEY);
      setDraft(newDraft());
      setErrors({});
      window.scrollTo({ top: 0 });
    } finally {
      setSaving(false);
    }
  }

  const errorCount = Object.keys(errors).length;
  return (
    <div className="space-y-6">
      {outcome?.kind === 'sent' && <SubmissionResultCard item={outcome.sent} onDismiss={() => setOutcome(null)} />}
      {outcome?.kind === 'queued' && (
        <Alert tone="warning" title={`Saved on this device: ${outcome.name}`}>
          It will be sent automatically when the connection returns. You can start the next assessment now.
        </Alert>
      )}
      <form onSubmit={finish} noValidate className="space-y-6" aria-label="Assessment form">
        <div ref={summary} tabIndex={-1} className="outline-none">
          {errorCount > 0 && (
            <Alert tone="error" title={`${errorCount} ${errorCount === 1 ? 'thing needs' : 'things need'} attention`}>
              Check the fields marked below.
            </Alert>
          )}
        </div>
        <Card>
          <CardHeader title="Respondent" description="Who is taking the assessment." />
          <div className="grid gap-4 p-5 sm:grid-cols-2">
            <TextField label="Full name" name="name" autoComplete="off" value={draft.respondent.name}
              onChange={(e) => setRespondent('name', e.target.value)} error={errors.name} required />
            <TextField label="Phone (WhatsApp)" name="phone" type="tel" inputMode="tel" autoComplete="off"
              placeholder="+254700000001" value={draft.respondent.phone}
              onChange={(e) => setRespondent('phone', e.target.value)} error={errors.phone} required />
            <SelectField label="Sector" name="sector" value={draft.respondent.sector}
              onChange={(e) => setRespondent('sector', e.target.value)} error={errors.sector} required>
              <option value="">Choose…</option>
              {sectors.map((s) => <option key={s.code} value={s.code}>{s.label}</option>)}
            </SelectField>
            <TextField label="Region" name="region" autoComplete="off" value={draft.respondent.region}
              onChange={(e) => setRespondent('region', e.target.value)} />
            <SelectField label="Language" name="language" value={draft.respondent.language}
              onChange={(e) => setRespondent('language', e.target.value)}>
              <option value="en">English</option>
              <option value="fr">Français</option>
            </SelectField>
          </div>
        </Card>
        <Card>
          <CardHeader
            title={questionnaire.questionnaire.title}
            description={`Version ${questionnaire.questionnaire.version} · ${visible.length} questions`}
            actions={<Badge tone="brand">{answeredCount}/{visible.length} answered</Badge>}
          />
          <div className="divide-y divide-slate-100">
            {visible.map((q, i) => (
              <div key={q.id} className="p-5">
                <QuestionInput question={q} index={i + 1} value={draft.answers[q.code]} invalid={errors[`q-${q.code}`]}
                  onChange={(value) => setDraft((d) => ({ ...d, answers: { ...d.answers, [q.code]: value } }))} />
              </div>
            ))}
          </div>
        </Card>
        <div className="flex flex-wrap items-center justify-end gap-3">
          {!online && <span className="text-sm text-amber-700">Offline: it will be kept on this device.</span>}
          <Button variant="ghost" onClick={() => { setDraft(newDraft()); setErrors({}); }}>Clear form</Button>
          <Button type="submit" size="lg" loading={saving}>Finish assessment</Button>
        </div>
      </form>
    </div>
  );
}

export function AssessmentForm({ userId }: { userId: string }) {
  const questionnaire = usePublishedQuestionnaire();
  const sectors = useSectors();
  const { refetch: refetchQuestionnaire } = questionnaire;
  const { refetch: refetchSectors } = sectors;
  useEffect(() => {
    // On the very first visit the service worker takes control only after these were fetched: fetch them
    // again through it, so the form opens offline from then on.
    const worker = typeof navigator !== 'undefined' ? navigator.serviceWorker : undefined;
    if (!worker) return;
    const warm = () => {
      void refetchQuestionnaire();
      void refetchSectors();
    };
    worker.addEventListener('controllerchange', warm);
    return () => worker.removeEventListener('controllerchange', warm);
  }, [refetchQuestionnaire, refetchSectors]);
  if (questionnaire.isPending || sectors.isPending) return <LoadingState label="Loading the questionnaire…" />;
  if (questionnaire.error) return <ErrorState error={questionnaire.error} onRetry={() => questionnaire.refetch()} />;
  if (sectors.error) return <ErrorState error={sectors.error} onRetry={() => sectors.refetch()} />;
  return <Form questionnaire={questionnaire.data} sectors={sectors.data.items} userId={userId} />;
}
