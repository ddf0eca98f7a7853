import { useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useRef, type ReactNode } from 'react';
import { Link } from 'react-router';

import { Badge } from '@/components/ui/badge';
import { Card, CardHeader, StatCard } from '@/components/ui/card';
import { PageHeader } from '@/components/ui/page';
import { EmptyState, QueryState } from '@/components/ui/states';
import { Table, Td, Th, Tr } from '@/components/ui/table';
import { useRealtime } from '@/lib/realtime';
import { formatCount, formatDateTime } from '@/utils/format';

import { useDashboardSummary } from '../api/get-dashboard-summary';

import { LiveIndicator } from './live-indicator';

// The charting library is the largest part of this page: the figures and the table show first, the
// charts follow in their own chunk.
const CountBars = lazy(() => import('./dashboard-charts').then((m) => ({ default: m.CountBars })));
const SkillMeans = lazy(() => import('./dashboard-charts').then((m) => ({ default: m.SkillMeans })));
const Funnel = lazy(() => import('./dashboard-charts').then((m) => ({ default: m.Funnel })));

function ChartSlot({ height = 240, children }: { height?: number; children: ReactNode }) {
  return (
    <Suspense fallback={<div className="animate-pulse rounded-lg bg-slate-100" style={{ height }} aria-hidden />}>
      {children}
    </Suspense>
  );
}

/**
 * Totals, breakdowns, the drop-off funnel and the latest submissions. Pushes carry only what changed, so a
 * push (or a reconnect, after which pushes may have been missed) refetches the summary; bursts of pushes
 * collapse into one refetch.
 */
export function DashboardView() {
  const query = useDashboardSummary();
  const client = useQueryClient();
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);
  const refetch = () => {
    if (pending.current) return;
    pending.current = setTimeout(() => {
      pending.current = null;
      void client.invalidateQueries({ queryKey: ['dashboard', 'summary'] });
    }, 250);
  };
  const status = useRealtime(['dashboard'], refetch, refetch);

  return (
    <>
      <PageHeader title="Dashboard" description="Submissions as they arrive." actions={<LiveIndicator status={status} />} />
      <QueryState query={query}>
        {(s) => (
          <div className="space-y-6">
            <div className="grid gap-4 sm:grid-cols-3">
              <StatCard label="Today" value={<span data-testid="total-today">{formatCount(s.totals.today)}</span>} />
              <StatCard label="Last 7 days" value={formatCount(s.totals.last_7_days)} />
              <StatCard label="All time" value={<span data-testid="total-all">{formatCount(s.totals.all_time)}</span>} />
            </div>
            {s.totals.all_time === 0 ? (
              <Card><EmptyState title="No submissions yet">This page updates by itself as soon as the first one arrives.</EmptyState></Card>
            ) : (
              <>
                <div className="grid gap-6 lg:grid-cols-2">
                  <Card>
                    <CardHeader title="By sector" />
                    <div className="p-4"><ChartSlot><CountBars rows={s.by_sector.map((x) => ({ name: x.label, value: x.count }))} /></ChartSlot></div>
                  </Card>
                  <Card>
                    <CardHeader title="By channel" />
                    <div className="p-4"><ChartSlot height={140}><CountBars height={140} rows={s.by_channel.map((x) => ({ name: x.channel === 'whatsapp' ? 'WhatsApp' : x.channel === 'web' ? 'Web' : x.channel, value: x.count }))} /></ChartSlot></div>
                  </Card>
                  <Card>
                    <CardHeader title="Mean score per skill" />
                    <div className="p-4"><ChartSlot><SkillMeans skills={s.skills} /></ChartSlot></div>
                  </Card>
                  <Card>
                    <CardHeader title="Drop-off per question" description="Reached against answered" />
                    <div className="p-4"><ChartSlot height={260}><Funnel funnel={s.funnel} /></ChartSlot></div>
                  </Card>
                </div>
                <Card>
                  <CardHeader title="Latest submissions" />
                  <Table caption="Latest submissions">
                    <thead><tr><Th>Respondent</Th><Th>Sector</Th><Th>Channel</Th><Th>Submitted</Th></tr></thead>
                    <tbody className="divide-y divide-slate-100" data-testid="latest-submissions">
                      {s.latest.map((a) => (
                        <Tr key={a.id}>
                          <Td><Link className="font-medium text-brand-700 hover:underline" to={`/assessments/${a.id}`}>{a.respondent_name}</Link></Td>
                          <Td>{a.sector}</Td>
                          <Td><Badge tone={a.channel === 'whatsapp' ? 'green' : 'blue'}>{a.channel === 'whatsapp' ? 'WhatsApp' : 'Web'}</Badge></Td>
                          <Td>{formatDateTime(a.submitted_at)}</Td>
                        </Tr>
                      ))}
                    </tbody>
                  </Table>
                </Card>
              </>
            )}
          </div>
        )}
      </QueryState>
    </>
  );
}
