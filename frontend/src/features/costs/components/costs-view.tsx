import { useState } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

import { Card, CardHeader, StatCard } from '@/components/ui/card';
import { TextField } from '@/components/ui/field';
import { EmptyState, QueryState } from '@/components/ui/states';
import { Table, Td, Th, Tr } from '@/components/ui/table';
import { cn } from '@/utils/cn';
import { formatCount, formatDateTime, formatUsd, localInputToIso } from '@/utils/format';

import { Pager } from '@/components/ui/pager';
import { useCursorPages } from '@/hooks/use-cursor-pages';
import type { CostGroup, PerAssessmentGroup } from '@/types/api';

import { useCostPerAssessment } from '../api/get-cost-per-assessment';
import { useCostRequests } from '../api/get-cost-requests';
import { useCostSummary, type GroupBy } from '../api/get-cost-summary';

const GROUPS: { value: GroupBy; label: string }[] = [
  { value: 'day', label: 'Day' },
  { value: 'route', label: 'Route' },
  { value: 'channel', label: 'Channel' },
  { value: 'sector', label: 'Sector' },
  { value: 'function', label: 'Function' },
];

function CostChart({ groups }: { groups: CostGroup[] }) {
  const rows = groups.map((g) => ({ name: g.key ?? 'none', direct: Number(g.direct_usd), shared: Number(g.shared_usd) }));
  return (
    <ResponsiveContainer width="100%" height={300}>
      <BarChart data={rows} margin={{ top: 8, right: 8, bottom: 8, left: 8 }}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e2e8f0" />
        <XAxis dataKey="name" tick={{ fontSize: 11 }} interval="preserveStartEnd" />
        <YAxis tick={{ fontSize: 11 }} tickFormatter={(v: number) => formatUsd(v)} width={70} />
        <Tooltip formatter={(v) => formatUsd(Number(v))} />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        <Bar dataKey="direct" name="Direct" stackId="cost" fill="#0f766e" isAnimationActive={false} />
        <Bar dataKey="shared" name="Shared (database, network)" stackId="cost" fill="#94a3b8" radius={[3, 3, 0, 0]} isAnimationActive={false} />
      </BarChart>
    </ResponsiveContainer>
  );
}

function PerAssessmentTable({ groups }: { groups: PerAssessmentGroup[] }) {
  return (
    <Card>
      <CardHeader title="Cost per completed assessment" description="Every request of the session or conversation included" />
      {groups.length === 0 ? <EmptyState title="No completed assessments in this period" /> : (
        <Table caption="Cost per completed assessment">
          <thead><tr><Th>Channel</Th><Th>Sector</Th><Th className="text-right">Assessments</Th><Th className="text-right">Mean</Th><Th className="text-right">Median</Th><Th className="text-right">p95</Th><Th className="text-right">Total</Th></tr></thead>
          <tbody className="divide-y divide-slate-100">
            {groups.map((r) => (
              <Tr key={`${r.channel}/${r.sector}`}>
                <Td className="font-medium">{r.channel}</Td>
                <Td>{r.sector}</Td>
                <Td className="text-right tabular-nums">{formatCount(r.assessments)}</Td>
                <Td className="text-right tabular-nums">{formatUsd(r.mean_usd)}</Td>
                <Td className="text-right tabular-nums">{formatUsd(r.median_usd)}</Td>
                <Td className="text-right tabular-nums">{formatUsd(r.p95_usd)}</Td>
                <Td className="text-right tabular-nums">{formatUsd(r.total_usd)}</Td>
              </Tr>
            ))}
          </tbody>
        </Table>
      )}
    </Card>
  );
}

function LatestRequests({ period }: { period: { from?: string; to?: string } }) {
  const pages = useCursorPages(JSON.stringify(period));
  const query = useCostRequests({ ...period, cursor: pages.cursor, limit: 20 });
  return (
    <Card>
      <CardHeader title="Requests" description="One row per invocation, newest first" />
      <QueryState query={query} isEmpty={(d) => d.items.length === 0} empty={<EmptyState title="No requests in this period" />}>
        {(data) => (
          <>
            <Table caption="Requests">
              <thead><tr><Th>Started</Th><Th>Route or job</Th><Th>Channel</Th><Th>Status</Th><Th className="text-right">Billed</Th><Th className="text-right">Cost</Th></tr></thead>
              <tbody className="divide-y divide-slate-100">
                {data.items.map((r) => (
                  <Tr key={r.request_id}>
                    <Td>{formatDateTime(r.started_at)}</Td>
                    <Td className="font-mono text-xs">{r.route ?? r.function}</Td>
                    <Td>{r.channel}</Td>
                    <Td className="tabular-nums">{r.status}</Td>
                    <Td className="text-right tabular-nums">{r.billed_ms} ms</Td>
                    <Td className="text-right tabular-nums">{formatUsd(r.direct_usd)}</Td>
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

/** What the platform cost: totals, a breakdown by route, day, channel or sector, and per assessment. */
export function CostsView() {
  const [groupBy, setGroupBy] = useState<GroupBy>('day');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const period = { from: localInputToIso(from), to: localInputToIso(to) };
  const summary = useCostSummary({ ...period, group_by: groupBy });
  const perAssessment = useCostPerAssessment(period);

  return (
    <div className="space-y-6">
      <form className="flex flex-wrap gap-3" aria-label="Cost period" onSubmit={(e) => e.preventDefault()}>
        <TextField label="From" type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} />
        <TextField label="To" type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} />
      </form>
      <QueryState query={summary}>
        {(s) => (
          <>
            <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
              <StatCard label="Total" value={formatUsd(s.totals.total_usd)} />
              <StatCard label="Direct" value={formatUsd(s.totals.direct_usd)} hint="Lambda, API Gateway, S3, Twilio" />
              <StatCard label="Shared" value={formatUsd(s.totals.shared_usd)}
                hint={`Database, proxy, network, by database time; ${formatUsd(s.totals.unallocated_shared_usd)} carried by no request`} />
              <StatCard label="Requests" value={formatCount(s.totals.requests)} />
            </div>
            <Card>
              <CardHeader title="Cost breakdown" actions={
                <div role="tablist" aria-label="Group by" className="inline-flex flex-wrap rounded-lg bg-slate-100 p-1">
                  {GROUPS.map((g) => (
                    <button key={g.value} type="button" role="tab" aria-selected={groupBy === g.value} onClick={() => setGroupBy(g.value)}
                      className={cn('rounded-md px-3 py-1 text-sm font-medium', groupBy === g.value ? 'bg-white shadow-sm' : 'text-slate-600 hover:text-slate-900')}>
                      {g.label}
                    </button>
                  ))}
                </div>
              } />
              {s.groups.length === 0 ? <EmptyState title="No requests in this period" /> : (
                <>
                  <div className="p-4"><CostChart groups={s.groups} /></div>
                  <Table caption="Costs by group">
                    <thead><tr><Th>{GROUPS.find((g) => g.value === groupBy)?.label}</Th><Th className="text-right">Requests</Th><Th className="text-right">Direct</Th><Th className="text-right">Shared</Th><Th className="text-right">Total</Th></tr></thead>
                    <tbody className="divide-y divide-slate-100">
                      {s.groups.map((g) => (
                        <Tr key={g.key ?? 'none'}>
                          <Td className="font-mono text-xs">{g.key ?? '(none)'}</Td>
                          <Td className="text-right tabular-nums">{formatCount(g.requests)}</Td>
                          <Td className="text-right tabular-nums">{formatUsd(g.direct_usd)}</Td>
                          <Td className="text-right tabular-nums">{formatUsd(g.shared_usd)}</Td>
                          <Td className="text-right font-medium tabular-nums">{formatUsd(g.total_usd)}</Td>
                        </Tr>
                      ))}
                    </tbody>
                  </Table>
                </>
              )}
            </Card>
          </>
        )}
      </QueryState>
      <QueryState query={perAssessment}>{(p) => <PerAssessmentTable groups={p.groups} />}</QueryState>
      <LatestRequests period={period} />
    </div>
  );
}
