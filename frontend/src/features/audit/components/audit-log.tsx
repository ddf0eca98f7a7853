import { useState } from 'react';

import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { SelectField, TextField } from '@/components/ui/field';
import { Pager } from '@/components/ui/pager';
import { EmptyState, QueryState } from '@/components/ui/states';
import { Table, Td, Th, Tr } from '@/components/ui/table';
import { useCursorPages } from '@/hooks/use-cursor-pages';
import { formatDateTime, localInputToIso } from '@/utils/format';

import { useAudit, type AuditFilters } from '../api/get-audit';

type Form = { action: string; outcome: string; since: string; until: string };
const EMPTY: Form = { action: '', outcome: '', since: '', until: '' };
const ACTION = /^[a-z_]+(\.[a-z_0-9]+)*$/;

/** Who did what and when, newest first. */
export function AuditLog() {
  const [form, setForm] = useState<Form>(EMPTY);
  const action = form.action.trim();
  const filters: AuditFilters = {
    action: action && ACTION.test(action) ? action : undefined,
    outcome: (form.outcome || undefined) as AuditFilters['outcome'],
    since: localInputToIso(form.since),
    until: localInputToIso(form.until),
    limit: 50,
  };
  const pages = useCursorPages(JSON.stringify(filters));
  const query = useAudit({ ...filters, cursor: pages.cursor });
  const set = (field: keyof Form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [field]: e.target.value }));
  return (
    <Card>
      <form role="search" aria-label="Filter the audit log" onSubmit={(e) => e.preventDefault()}
        className="grid gap-4 border-b border-slate-100 p-4 sm:grid-cols-2 lg:grid-cols-5 lg:items-end">
        <TextField label="Action" placeholder="auth or auth.login" value={form.action} onChange={set('action')}
          error={action && !ACTION.test(action) ? 'Lowercase words joined by dots' : undefined} />
        <SelectField label="Outcome" value={form.outcome} onChange={set('outcome')}>
          <option value="">Any</option><option value="success">Success</option><option value="failure">Failure</option>
        </SelectField>
        <TextField label="From" type="datetime-local" value={form.since} onChange={set('since')} />
        <TextField label="Until" type="datetime-local" value={form.until} onChange={set('until')} />
        <Button variant="ghost" onClick={() => setForm(EMPTY)}>Clear filters</Button>
      </form>
      <QueryState query={query} isEmpty={(d) => d.items.length === 0} empty={<EmptyState title="No entries match" />}>
        {(data) => (
          <>
            <Table caption="Audit log">
              <thead><tr><Th>When</Th><Th>Action</Th><Th>Outcome</Th><Th>Who</Th><Th>Target</Th><Th>From</Th></tr></thead>
              <tbody className="divide-y divide-slate-100">
                {data.items.map((e) => (
                  <Tr key={e.id}>
                    <Td>{formatDateTime(e.at)}</Td>
                    <Td className="font-mono text-xs">{e.action}</Td>
                    <Td><Badge tone={e.outcome === 'failure' ? 'red' : 'green'}>{e.outcome}</Badge></Td>
                    <Td>{e.actor_email ?? '—'}</Td>
                    <Td className="max-w-56 truncate text-xs" title={e.target_id ?? undefined}>{e.target_type ? `${e.target_type} ${e.target_id ?? ''}` : '—'}</Td>
                    <Td className="text-xs tabular-nums">{e.source_ip ?? '—'}</Td>
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
