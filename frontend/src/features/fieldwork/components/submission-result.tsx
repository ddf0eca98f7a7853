import { Button } from '@/components/ui/button';
import { Card, CardHeader } from '@/components/ui/card';
import { formatScore } from '@/utils/format';

import type { SentItem } from '../api/outbox';

/** Scores and recommendations to read out to the respondent once the assessment is stored. */
export function SubmissionResultCard({ item, onDismiss }: { item: SentItem; onDismiss: () => void }) {
  const { result } = item;
  return (
    <Card className="ring-emerald-200" role="status" aria-live="polite">
      <CardHeader
        title={`Assessment stored for ${item.respondentName}`}
        description="Read the results to the respondent."
        actions={<Button variant="secondary" size="sm" onClick={onDismiss}>Close</Button>}
      />
      <div className="grid gap-6 p-5 md:grid-cols-2">
        <div>
          <h3 className="mb-3 text-sm font-semibold text-slate-700">Scores</h3>
          <ul className="space-y-3">
            {result.scores.map((s) => (
              <li key={s.skill}>
                <div className="flex justify-between text-sm">
                  <span>{s.label}</span>
                  <span className="font-medium tabular-nums">{formatScore(s.score)} · {s.band}</span>
                </div>
                <div className="mt-1 h-2 rounded-full bg-slate-100" aria-hidden>
                  <div className="h-2 rounded-full bg-brand-600" style={{ width: `${Math.min(100, s.score)}%` }} />
                </div>
              </li>
            ))}
          </ul>
        </div>
        <div>
          <h3 className="mb-3 text-sm font-semibold text-slate-700">Recommendations</h3>
          {result.recommendations.length ? (
            <ul className="list-disc space-y-1.5 pl-5 text-sm text-slate-700">
              {result.recommendations.map((r, i) => <li key={i}>{r.text}</li>)}
            </ul>
          ) : (
            <p className="text-sm text-slate-500">No recommendations for these scores.</p>
          )}
        </div>
      </div>
    </Card>
  );
}
