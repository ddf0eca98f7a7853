import { useState } from 'react';
import { Link } from 'react-router';

import { Alert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardHeader } from '@/components/ui/card';
import { PageHeader } from '@/components/ui/page';
import { QueryState } from '@/components/ui/states';
import { describeError } from '@/lib/errors';
import type { QuestionPublic } from '@/types/api';
import { titleCase } from '@/utils/format';

import { useQuestionnaire } from '../api/get-questionnaire';
import { useVersionQuestions } from '../api/get-version-questions';
import { useCreateQuestion } from '../api/create-question';
import { useDeleteQuestion } from '../api/delete-question';
import { usePublishVersion } from '../api/publish-version';
import { useUpdateQuestion } from '../api/update-question';

import { blankQuestion, fromPublic, QuestionEditor } from './question-editor';

function QuestionRow({ question, index }: { question: QuestionPublic; index: number }) {
  return (
    <div className="min-w-0 flex-1">
      <p className="text-sm font-medium text-slate-900"><span className="mr-2 text-slate-400">{index}.</span>{question.label}</p>
      <div className="mt-1 flex flex-wrap gap-1.5">
        <Badge>{titleCase(question.type)}</Badge>
        <Badge tone="brand">{question.skill}</Badge>
        <span className="font-mono text-xs text-slate-500">{question.code}</span>
        {question.weight != null && <Badge tone="neutral">weight {question.weight}</Badge>}
        {!question.required && <Badge tone="neutral">optional</Badge>}
        {question.show_if && <Badge tone="blue">shown if {String((question.show_if as { question?: string }).question)}</Badge>}
      </div>
      {question.options.length > 0 && (
        <p className="mt-1 text-xs text-slate-500">
          {question.options.map((o) => (o.score != null ? `${o.label} (${o.score})` : o.label)).join(' · ')}
        </p>
      )}
    </div>
  );
}

/** One version's questions; a draft can be edited question by question and published. */
export function VersionEditor({ questionnaireId, version, canWrite }: { questionnaireId: string; version: number; canWrite: boolean }) {
  const en = useVersionQuestions(questionnaireId, version, 'en');
  const fr = useVersionQuestions(questionnaireId, version, 'fr');
  const questionnaire = useQuestionnaire(questionnaireId);
  const [editing, setEditing] = useState<string | 'new' | null>(null);
  const create = useCreateQuestion({ onSuccess: () => setEditing(null) });
  const update = useUpdateQuestion({ onSuccess: () => setEditing(null) });
  const remove = useDeleteQuestion();
  const publish = usePublishVersion();

  return (
    <QueryState query={en}>
      {(data) => {
        const draft = data.questionnaire.status === 'draft' && canWrite;
        const skills = [...new Set(data.questions.map((q) => q.skill))];
        const versionId = data.questionnaire.version_id;
        const frById = new Map(fr.data?.questions.map((q) => [q.id, q]));
        return (
          <>
            <PageHeader
              title={`${data.questionnaire.title} · v${data.questionnaire.version}`}
              description={<Link className="text-brand-700 hover:underline" to={`/questionnaires/${questionnaireId}`}>All versions</Link>}
              actions={
                <>
                  <Badge tone={data.questionnaire.status === 'draft' ? 'amber' : 'green'}>{data.questionnaire.status}</Badge>
                  {draft && (
                    <Button loading={publish.isPending} disabled={!questionnaire.data}
                      onClick={() => publish.mutate({ questionnaireId, versionId })}>Publish this version</Button>
                  )}
                </>
              }
            />
            {publish.error && <Alert tone="error" className="mb-4">{describeError(publish.error)}</Alert>}
            {remove.error && <Alert tone="error" className="mb-4">{describeError(remove.error)}</Alert>}
            {publish.isSuccess && <Alert tone="success" className="mb-4">Published: respondents now take this version.</Alert>}
            <Card>
              <CardHeader title="Questions" description={`${data.questions.length} questions${draft ? ' · draft: changes are saved as you make them' : ''}`}
                actions={draft && editing !== 'new' && <Button size="sm" onClick={() => { create.reset(); setEditing('new'); }}>Add question</Button>} />
              {editing === 'new' && (
                <div className="p-4">
                  <QuestionEditor initial={blankQuestion(skills[0])} skills={skills} editing={false} busy={create.isPending}
                    error={create.error} onCancel={() => setEditing(null)}
                    onSave={(question) => create.mutate({ version_id: versionId, question })} />
                </div>
              )}
              <ol className="divide-y divide-slate-100">
                {data.questions.map((q, i) => (
                  <li key={q.id} className="px-5 py-4">
                    {editing === q.id ? (
                      <QuestionEditor initial={fromPublic(q, frById.get(q.id))} skills={skills} editing busy={update.isPending}
                        error={update.error} onCancel={() => setEditing(null)}
                        onSave={(question) => update.mutate({ questionId: q.id, question })} />
                    ) : (
                      <div className="flex flex-wrap items-start gap-3">
                        <QuestionRow question={q} index={i + 1} />
                        {draft && (
                          <div className="flex gap-1">
                            <Button size="sm" variant="ghost" onClick={() => { update.reset(); setEditing(q.id); }}>Edit</Button>
                            <Button size="sm" variant="ghost" loading={remove.isPending && remove.variables === q.id}
                              onClick={() => { if (window.confirm(`Delete question ${q.code}?`)) remove.mutate(q.id); }}>Delete</Button>
                          </div>
                        )}
                      </div>
                    )}
                  </li>
                ))}
              </ol>
            </Card>
          </>
        );
      }}
    </QueryState>
  );
}
