import { Card } from '@/components/ui/card';
import { PageHeader } from '@/components/ui/page';
import { QueryState } from '@/components/ui/states';
import { formatDateTime } from '@/utils/format';

import { useRespondent } from '../api/get-respondent';

export function RespondentView({ respondentId }: { respondentId: string }) {
  const query = useRespondent(respondentId);
  return (
    <QueryState query={query}>
      {(r) => (
        <>
          <PageHeader title={r.name} description={`Respondent since ${formatDateTime(r.created_at)}`} />
          <Card className="mb-6">
            <dl className="grid gap-4 p-5 text-sm sm:grid-cols-3 lg:grid-cols-6">
              {[
                ['Phone', r.phone],
                ['Sector', r.sector],
                ['Region', r.region || '—'],
                ['Language', r.language.toUpperCase()],
                ['Consent', r.consent_at ? formatDateTime(r.consent_at) : 'Not recorded'],
                ['Assessments', String(r.assessments)],
              ].map(([label, value]) => (
                <div key={label}>
                  <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</dt>
                  <dd className="mt-1 text-slate-900">{value}</dd>
                </div>
              ))}
            </dl>
          </Card>
        </>
      )}
    </QueryState>
  );
}
