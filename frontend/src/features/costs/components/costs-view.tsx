import { useState } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

import { Card, CardHeader, StatCard } from '@/components/ui/card';
import { TextField } from '@/components/ui/field';
import { EmptyState, QueryState } from '@/components/ui/states';
import { Table, Td, Th, Tr } from '@/components/ui/table';
import { cn } from '@/utils/cn';
import { formatCount, formatUsd, localInputToIso } from '@/utils/format';

import type { CostGroup, GroupBy, PerAssessmentRow } from '../api/contract';
import { useCostPerAssessment } from '../api/get-cost-per-assessment';
import { useCostSummary } from '../api/get-cost-summary';

const GROUPS: { value: GroupBy; label: string }[] = [
  { value: 'day', label: 'Day' },
  { value: 'route', label: 'Route' },
  { value: 'channel', label: 'Channel' },
  { value: 'sector', label: 'Sector' },
  { value: 'function', label: 'Function' },
];

function CostChart({ groups }: { groups: CostGroup[] }) {
  const rows = groups.map((g) => ({ name: g.key, direct: Number(g.direct_usd), shared: Number(g.shared_usd) }));
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

function PerAssessmentTable({ title, rows }: { title: string; rows: PerAssessmentRow[] }) {
  return (
    <Card>
      <CardHeader title={title} description="Every request of the session or conversation included" />
      <Table caption={title}>
        <thead><tr><Th>{title.replace('By ', '')}</Th><Th className="text-right">Assessments</Th><Th className="text-right">Mean</Th><Th className="text-right">Median</Th><Th className="text-right">p95</Th></tr></thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((r) => (
            <Tr key={r.key}>
              <Td className="font-medium">{r.key}</Td>
              <Td className="text-right tabular-nums">{formatCount(r.assessments)}</Td>
              <Td className="text-right tabular-nums">{formatUsd(r.mean_usd)}</Td>
              <Td className="text-right tabular-nums">{formatUsd(r.median_usd)}</Td>
              <Td className="text-right tabular-nums">{formatUsd(r.p95_usd)}</Td>
            </Tr>
          ))}
        </tbody>
      </Table>
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
              <StatCard label="Shared" value={formatUsd(s.totals.shared_usd)} hint="Database, proxy, network; by database time" />
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
                        <Tr key={g.key}>
                          <Td className="font-mono text-xs">{g.key}</Td>
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
      <QueryState query={perAssessment}>
        {(p) => (
          <div className="grid gap-6 lg:grid-cols-2">
            <PerAssessmentTable title="By channel" rows={p.by_channel} />
            <PerAssessmentTable title="By sector" rows={p.by_sector} />
          </div>
        )}
      </QueryState>
    </div>
  );
}
