import { useState } from 'react';

import { Card, CardHeader, StatCard } from '@/components/ui/card';
import { TextField } from '@/components/ui/field';
import { EmptyState, QueryState } from '@/components/ui/states';
import { Table, Td, Th, Tr } from '@/components/ui/table';
import { cn } from '@/utils/cn';
import { formatCount, formatPercent, formatScore, localInputToIso } from '@/utils/format';

import { useSectorReports, type ReportFilters } from '../api/get-sector-reports';
import { useSkillReports } from '../api/get-skill-reports';

import { DistributionChart, SectorSkillChart } from './charts';

function BySector({ filters }: { filters: ReportFilters }) {
  const query = useSectorReports(filters);
  return (
    <QueryState query={query} isEmpty={(d) => d.sectors.every((s) => s.assessments === 0)}
      empty={<Card><EmptyState title="No assessments in this period">Choose a wider time range.</EmptyState></Card>}>
      {(data) => {
        const total = data.sectors.reduce((n, s) => n + s.assessments, 0);
        const started = data.sectors.reduce((n, s) => n + s.started, 0);
        return (
          <div className="space-y-6">
            <div className="grid gap-4 sm:grid-cols-3">
              <StatCard label="Assessments" value={formatCount(total)} />
              <StatCard label="Started" value={formatCount(started)} />
              <StatCard label="Completion" value={started ? formatPercent(total / started) : '—'} hint="Submitted over started" />
            </div>
            <Card>
              <CardHeader title="Mean score per skill, by sector" />
              <div className="p-4"><SectorSkillChart data={data} /></div>
            </Card>
            <Card>
              <Table caption="Sectors">
                <thead><tr><Th>Sector</Th><Th className="text-right">Assessments</Th><Th className="text-right">Completion</Th>
                  {data.sectors[0]?.skills.map((k) => <Th key={k.skill} className="text-right">{k.label}</Th>)}</tr></thead>
                <tbody className="divide-y divide-slate-100">
                  {data.sectors.map((s) => (
                    <Tr key={s.sector}>
                      <Td className="font-medium">{s.label}</Td>
                      <Td className="text-right tabular-nums">{formatCount(s.assessments)}</Td>
                      <Td className="text-right tabular-nums">{formatPercent(s.completion_rate)}</Td>
                      {s.skills.map((k) => <Td key={k.skill} className="text-right tabular-nums">{formatScore(k.mean)}</Td>)}
                    </Tr>
                  ))}
                </tbody>
              </Table>
            </Card>
          </div>
        );
      }}
    </QueryState>
  );
}

function BySkill({ filters }: { filters: ReportFilters }) {
  const query = useSkillReports(filters);
  return (
    <QueryState query={query} isEmpty={(d) => d.skills.every((s) => s.assessments === 0)}
      empty={<Card><EmptyState title="No assessments in this period">Choose a wider time range.</EmptyState></Card>}>
      {(data) => (
        <div className="grid gap-4 md:grid-cols-2">
          {data.skills.map((s) => (
            <Card key={s.skill}>
              <CardHeader title={s.label} description={`${formatCount(s.assessments)} assessments · mean ${formatScore(s.mean)}`} />
              <div className="p-4">
                <DistributionChart skill={s} />
                <dl className="mt-3 flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-600">
                  {Object.entries(s.bands).map(([band, n]) => (
                    <div key={band} className="flex gap-1"><dt className="font-medium">{band}</dt><dd className="tabular-nums">{n}</dd></div>
                  ))}
                </dl>
              </div>
            </Card>
          ))}
        </div>
      )}
    </QueryState>
  );
}

/** Sector and skill reports over a period, as charts and tables. */
export function ReportsView() {
  const [tab, setTab] = useState<'sectors' | 'skills'>('sectors');
  const [since, setSince] = useState('');
  const [until, setUntil] = useState('');
  const filters: ReportFilters = { since: localInputToIso(since), until: localInputToIso(until) };
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div role="tablist" aria-label="Report" className="inline-flex rounded-lg bg-slate-100 p-1">
          {(['sectors', 'skills'] as const).map((t) => (
            <button key={t} role="tab" type="button" aria-selected={tab === t} onClick={() => setTab(t)}
              className={cn('rounded-md px-4 py-1.5 text-sm font-medium', tab === t ? 'bg-white text-slate-900 shadow-sm' : 'text-slate-600 hover:text-slate-900')}>
              {t === 'sectors' ? 'By sector' : 'By skill'}
            </button>
          ))}
        </div>
        <form className="flex flex-wrap gap-3" aria-label="Report period" onSubmit={(e) => e.preventDefault()}>
          <TextField label="From" type="datetime-local" value={since} onChange={(e) => setSince(e.target.value)} />
          <TextField label="Until" type="datetime-local" value={until} onChange={(e) => setUntil(e.target.value)} />
        </form>
      </div>
      <div role="tabpanel">{tab === 'sectors' ? <BySector filters={filters} /> : <BySkill filters={filters} />}</div>
    </div>
  );
}
