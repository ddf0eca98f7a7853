import { useState } from 'react';
import { Link } from 'react-router';

import { useSectors } from '@/api/get-sectors';
import { Card } from '@/components/ui/card';
import { SelectField } from '@/components/ui/field';
import { Pager } from '@/components/ui/pager';
import { EmptyState, QueryState } from '@/components/ui/states';
import { Table, Td, Th, Tr } from '@/components/ui/table';
import { useCursorPages } from '@/hooks/use-cursor-pages';
import { formatDate } from '@/utils/format';

import { useRespondents } from '../api/get-respondents';

export function RespondentsList() {
  const [sector, setSector] = useState('');
  const pages = useCursorPages(sector);
  const query = useRespondents({ sector: sector || undefined, cursor: pages.cursor, limit: 25 });
  const sectors = useSectors();
  const sectorLabel = new Map(sectors.data?.items.map((s) => [s.code, s.label]));
  return (
    <Card>
      <form role="search" aria-label="Filter respondents" className="border-b border-slate-100 p-4 sm:max-w-xs"
        onSubmit={(e) => e.preventDefault()}>
        <SelectField label="Sector" value={sector} onChange={(e) => setSector(e.target.value)}>
          <option value="">All sectors</option>
          {sectors.data?.items.map((s) => <option key={s.code} value={s.code}>{s.label}</option>)}
        </SelectField>
      </form>
      <QueryState query={query} isEmpty={(d) => d.items.length === 0}
        empty={<EmptyState title="No respondents yet">Respondents appear when their first assessment is submitted.</EmptyState>}>
        {(data) => (
          <>
            <Table caption="Respondents">
              <thead>
                <tr><Th>Name</Th><Th>Phone</Th><Th>Sector</Th><Th>Region</Th><Th className="text-right">Assessments</Th><Th>Since</Th></tr>
              </thead>
              <tbody className="divide-y divide-slate-100 bg-white">
                {data.items.map((r) => (
                  <Tr key={r.id}>
                    <Td><Link to={`/respondents/${r.id}`} className="font-medium text-brand-700 hover:underline">{r.name}</Link></Td>
                    <Td className="tabular-nums">{r.phone}</Td>
                    <Td>{sectorLabel.get(r.sector) ?? r.sector}</Td>
                    <Td>{r.region || '—'}</Td>
                    <Td className="text-right tabular-nums">{r.assessments}</Td>
                    <Td>{formatDate(r.created_at)}</Td>
                  </Tr>
                ))}
              </tbody>
            </Table>
            <Pager page={pages.page} hasNext={!!data.next_cursor} busy={query.isFetching}
              onNext={() => data.next_cursor && pages.next(data.next_cursor)} onPrevious={pages.previous} />
          </>
        )}
      </QueryState>
    </Card>
  );
}
