import { Link } from 'react-router';

import { Badge } from '@/components/ui/badge';
import { Card, CardHeader } from '@/components/ui/card';
import { PageHeader } from '@/components/ui/page';
import { QueryState } from '@/components/ui/states';
import type { AnswerOut } from '@/types/api';
import { formatDateTime, formatScore } from '@/utils/format';

import { useAssessment } from '../api/get-assessment';

function answerText(a: AnswerOut): string {
  if (a.value_labels.length) return a.value_labels.join(', ');
  return Array.isArray(a.value) ? a.value.join(', ') : String(a.value);
}

export function AssessmentView({ assessmentId }: { assessmentId: string }) {
  const query = useAssessment(assessmentId);
  return (
    <QueryState query={query}>
      {(a) => (
        <>
          <PageHeader
            title={a.respondent.name}
            description={`Assessment submitted ${formatDateTime(a.submitted_at)} · ${a.channel === 'whatsapp' ? 'WhatsApp' : 'Web'}`}
            actions={<Link to={`/respondents/${a.respondent.id}`} className="text-sm font-medium text-brand-700 hover:underline">Respondent profile</Link>}
          />
          <div className="grid gap-6 lg:grid-cols-3">
            <Card className="lg:col-span-2">
              <CardHeader title="Scores by skill" />
              <ul className="space-y-4 p-5">
                {a.scores.map((s) => (
                  <li key={s.skill}>
                    <div className="flex justify-between text-sm">
                      <span className="font-medium text-slate-800">{s.label}</span>
                      <span className="tabular-nums text-slate-600">{formatScore(s.score)} <Badge tone="brand">{s.band}</Badge></span>
                    </div>
                    <div className="mt-1.5 h-2 rounded-full bg-slate-100" role="meter" aria-label={s.label}
                      aria-valuemin={0} aria-valuemax={100} aria-valuenow={s.score}>
                      <div className="h-2 rounded-full bg-brand-600" style={{ width: `${Math.min(100, s.score)}%` }} />
                    </div>
                  </li>
                ))}
              </ul>
            </Card>
            <Card>
              <CardHeader title="Respondent" />
              <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 p-5 text-sm">
                <dt className="text-slate-500">Phone</dt><dd>{a.respondent.phone}</dd>
                <dt className="text-slate-500">Sector</dt><dd>{a.respondent.sector}</dd>
                <dt className="text-slate-500">Region</dt><dd>{a.respondent.region || '—'}</dd>
                <dt className="text-slate-500">Language</dt><dd>{a.respondent.language.toUpperCase()}</dd>
                <dt className="text-slate-500">Started</dt><dd>{formatDateTime(a.started_at)}</dd>
              </dl>
            </Card>
            <Card className="lg:col-span-3">
              <CardHeader title="Recommendations" />
              {a.recommendations.length ? (
                <ul className="list-disc space-y-1.5 p-5 pl-10 text-sm text-slate-700">
                  {a.recommendations.map((r, i) => <li key={i}><span className="font-medium">{r.skill}:</span> {r.text}</li>)}
                </ul>
              ) : <p className="p-5 text-sm text-slate-500">No recommendations for these scores.</p>}
            </Card>
            <Card className="lg:col-span-3">
              <CardHeader title="Answers" description={`${a.answers.length} answered`} />
              <ol className="divide-y divide-slate-100">
                {a.answers.map((ans, i) => (
                  <li key={ans.question_id} className="grid gap-1 px-5 py-3 text-sm sm:grid-cols-[1fr_auto] sm:gap-4">
                    <div>
                      <p className="text-slate-500"><span className="mr-1">{i + 1}.</span>{ans.question}</p>
                      <p className="font-medium text-slate-900">{answerText(ans)}</p>
                    </div>
                    <span className="self-center text-xs tabular-nums text-slate-500">
                      {ans.score === null ? 'not scored' : `score ${(ans.score * 100).toFixed(0)}%`}
                    </span>
                  </li>
                ))}
              </ol>
            </Card>
          </div>
        </>
      )}
    </QueryState>
  );
}
