import { useState } from 'react';
import { Link } from 'react-router';

import { useSectors } from '@/api/get-sectors';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { SelectField, TextField } from '@/components/ui/field';
import { Pager } from '@/components/ui/pager';
import { EmptyState, QueryState } from '@/components/ui/states';
import { Table, Td, Th, Tr } from '@/components/ui/table';
import { useCursorPages } from '@/hooks/use-cursor-pages';
import type { AssessmentSummary } from '@/types/api';
import { formatDateTime, formatScore, localInputToIso } from '@/utils/format';

import { useAssessments, type AssessmentFilters } from '../api/get-assessments';

type Form = { sector: string; channel: string; since: string; until: string };
const EMPTY: Form = { sector: '', channel: '', since: '', until: '' };

function toFilters(form: Form, respondentId?: string): AssessmentFilters {
  return {
    sector: form.sector || undefined,
    channel: (form.channel || undefined) as AssessmentFilters['channel'],
    since: localInputToIso(form.since),
    until: localInputToIso(form.until),
    respondent_id: respondentId,
    limit: 25,
  };
}

function meanScore(a: AssessmentSummary): number | null {
  const values = Object.values(a.scores);
  return values.length ? values.reduce((s, v) => s + v, 0) / values.length : null;
}

/** Submitted assessments, newest first, filtered by sector, channel and time, a page at a time. */
export function AssessmentsList({ respondentId, compact = false }: { respondentId?: string; compact?: boolean }) {
  const [form, setForm] = useState<Form>(EMPTY);
  const filters = toFilters(form, respondentId);
  const pages = useCursorPages(JSON.stringify(filters));
  const query = useAssessments({ ...filters, cursor: pages.cursor });
  const sectors = useSectors();
  const sectorLabel = new Map(sectors.data?.items.map((s) => [s.code, s.label]));
  const set = (field: keyof Form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [field]: e.target.value }));
  const filtered = Object.values(form).some(Boolean);

  return (
    <Card>
      {!compact && (
        <form className="grid gap-4 border-b border-slate-100 p-4 sm:grid-cols-2 lg:grid-cols-5 lg:items-end" role="search"
          aria-label="Filter assessments" onSubmit={(e) => e.preventDefault()}>
          <SelectField label="Sector" value={form.sector} onChange={set('sector')}>
            <option value="">All sectors</option>
            {sectors.data?.items.map((s) => <option key={s.code} value={s.code}>{s.label}</option>)}
          </SelectField>
          <SelectField label="Channel" value={form.channel} onChange={set('channel')}>
            <option value="">All channels</option>
            <option value="web">Web</option>
            <option value="whatsapp">WhatsApp</option>
          </SelectField>
          <TextField label="Submitted from" type="datetime-local" value={form.since} onChange={set('since')} />
          <TextField label="Submitted before" type="datetime-local" value={form.until} onChange={set('until')} />
          <Button variant="ghost" onClick={() => setForm(EMPTY)} disabled={!filtered}>Clear filters</Button>
        </form>
      )}
      <QueryState
        query={query}
        isEmpty={(d) => d.items.length === 0}
        empty={
          <EmptyState title={filtered ? 'No assessment matches these filters' : 'No assessments yet'}>
            {filtered ? 'Try a wider time range or another sector.' : 'Assessments appear here as soon as they are submitted.'}
          </EmptyState>
        }
      >
        {(data) => (
          <>
            <Table caption="Assessments">
              <thead>
                <tr>
                  <Th>Respondent</Th>
                  <Th>Sector</Th>
                  <Th>Channel</Th>
                  <Th>Submitted</Th>
                  <Th className="text-right">Mean score</Th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100 bg-white">
                {data.items.map((a) => (
                  <Tr key={a.id}>
                    <Td>
                      <Link to={`/assessments/${a.id}`} className="font-medium text-brand-700 hover:underline">{a.respondent_name}</Link>
                    </Td>
                    <Td>{sectorLabel.get(a.sector) ?? a.sector}</Td>
                    <Td><Badge tone={a.channel === 'whatsapp' ? 'green' : 'blue'}>{a.channel === 'whatsapp' ? 'WhatsApp' : 'Web'}</Badge></Td>
                    <Td>{formatDateTime(a.submitted_at)}</Td>
                    <Td className="text-right tabular-nums">{formatScore(meanScore(a))}</Td>
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
