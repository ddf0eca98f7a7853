import { Link } from 'react-router';

import { Badge } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { EmptyState, QueryState } from '@/components/ui/states';
import type { QuestionnairePublic } from '@/types/api';
import { formatDate } from '@/utils/format';

import { useQuestionnaires } from '../api/get-questionnaires';

function latest(q: QuestionnairePublic) {
  return [...q.versions].sort((a, b) => b.version - a.version)[0];
}

export function QuestionnairesList() {
  const query = useQuestionnaires();
  return (
    <QueryState query={query} isEmpty={(d) => d.items.length === 0}
      empty={<Card><EmptyState title="No questionnaires yet">Import a workbook to create the first one.</EmptyState></Card>}>
      {(data) => (
        <ul className="grid gap-4 md:grid-cols-2 xl:grid-cols-3">
          {data.items.map((q) => {
            const head = latest(q);
            const published = q.versions.find((v) => v.status === 'published' && v.published_at);
            const draft = q.versions.find((v) => v.status === 'draft');
            return (
              <li key={q.id}>
                <Link to={`/questionnaires/${q.id}`} className="block h-full rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200 transition hover:ring-brand-600">
                  <p className="font-mono text-xs text-slate-500">{q.code}</p>
                  <p className="mt-1 font-semibold text-slate-900">{head?.title_en ?? q.code}</p>
                  <div className="mt-3 flex flex-wrap gap-2">
                    {published && <Badge tone="green">v{published.version} published</Badge>}
                    {draft && <Badge tone="amber">v{draft.version} draft</Badge>}
                    <Badge>{head?.questions ?? 0} questions</Badge>
                  </div>
                  <p className="mt-3 text-xs text-slate-500">Created {formatDate(q.created_at)} · {q.versions.length} version{q.versions.length === 1 ? '' : 's'}</p>
                </Link>
              </li>
            );
          })}
        </ul>
      )}
    </QueryState>
  );
}
