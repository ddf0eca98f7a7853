import { useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { Link } from 'react-router';

import { Badge } from '@/components/ui/badge';
import { Card, CardHeader, StatCard } from '@/components/ui/card';
import { PageHeader } from '@/components/ui/page';
import { EmptyState, QueryState } from '@/components/ui/states';
import { Table, Td, Th, Tr } from '@/components/ui/table';
import { useRealtime, type RealtimeMessage } from '@/lib/realtime';
import type { DashboardSummary } from '@/types/api';
import { formatCount, formatDateTime, formatPercent } from '@/utils/format';

import { applyDelta, asDashboardDelta } from '../api/delta';
import { dashboardSummaryKey, useDashboardSummary } from '../api/get-dashboard-summary';

import { LiveIndicator } from './live-indicator';

// The charting library is the largest part of this page: the figures and the table show first, the
// charts follow in their own chunk.
const CountBars = lazy(() => import('./dashboard-charts').then((m) => ({ default: m.CountBars })));
const SkillMeans = lazy(() => import('./dashboard-charts').then((m) => ({ default: m.SkillMeans })));
const Funnel = lazy(() => import('./dashboard-charts').then((m) => ({ default: m.Funnel })));

const REFETCH_AFTER_MS = 200;

function ChartSlot({ height = 240, children }: { height?: number; children: ReactNode }) {
  return (
    <Suspense fallback={<div className="animate-pulse rounded-lg bg-slate-100" style={{ height }} aria-hidden />}>
      {children}
    </Suspense>
  );
}

const channelLabel = (channel: string) => (channel === 'whatsapp' ? 'WhatsApp' : channel === 'web' ? 'Web' : channel);

/**
 * Keeps the summary live: a `dashboard.delta` push moves the totals and the sector and channel counts at
 * once, then the summary is refetched for the rest (means, funnel, latest rows); bursts of pushes collapse
 * into one refetch. After a reconnect pushes may have been missed, so the summary is refetched too. Answers
 * the connection's status and the ids of the submissions pushed since the page opened.
 */
function useLiveSummary() {
  const client = useQueryClient();
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);
  const [arrived, setArrived] = useState<ReadonlySet<string>>(new Set());
  const refetch = useCallback(() => {
    if (pending.current) return;
    pending.current = setTimeout(() => {
      pending.current = null;
      void client.invalidateQueries({ queryKey: dashboardSummaryKey });
    }, REFETCH_AFTER_MS);
  }, [client]);
  useEffect(() => () => {
    if (pending.current) clearTimeout(pending.current);
  }, []);
  const onMessage = (message: RealtimeMessage) => {
    const delta = asDashboardDelta(message);
    if (!delta) return;
    client.setQueryData<DashboardSummary>(dashboardSummaryKey, (s) => (s ? applyDelta(s, delta) : s));
    setArrived((before) => new Set([...before, ...delta.assessments.map((a) => a.assessment_id)]));
    refetch();
  };
  const status = useRealtime(['dashboard'], onMessage, refetch);
  return { status, arrived };
}

function Stats({ s }: { s: DashboardSummary }) {
  return (
    <div className="grid gap-4 sm:grid-cols-3">
      <StatCard label="Today" value={<span data-testid="total-today">{formatCount(s.totals.today)}</span>} hint="Since 00:00 UTC" />
      <StatCard label="Last 7 days" value={<span data-testid="total-7-days">{formatCount(s.totals.last_7_days)}</span>} hint="Today and the 6 days before" />
      <StatCard label="All time" value={<span data-testid="total-all">{formatCount(s.totals.all_time)}</span>}
        hint={s.scope === 'own' ? 'The assessments you entered' : 'Every channel and sector'} />
    </div>
  );
}

/** The funnel as a table too: the chart for the eye, the table for screen readers and exact figures. */
function FunnelTable({ funnel }: { funnel: DashboardSummary['funnel'] }) {
  return (
    <details className="border-t border-slate-100 px-5 py-3 text-sm">
      <summary className="cursor-pointer font-medium text-brand-700">Show as a table</summary>
      <Table caption="Drop-off per question" className="mt-3">
        <thead><tr><Th>#</Th><Th>Question</Th><Th className="text-right">Reached</Th><Th className="text-right">Answered</Th><Th className="text-right">Drop-off</Th></tr></thead>
        <tbody className="divide-y divide-slate-100">
          {funnel.map((f, i) => (
            <Tr key={f.question_id}>
              <Td className="tabular-nums">{i + 1}</Td>
              <Td className="max-w-xs truncate" title={f.label}>{f.label}</Td>
              <Td className="text-right tabular-nums">{formatCount(f.reached)}</Td>
              <Td className="text-right tabular-nums">{formatCount(f.answered)}</Td>
              <Td className="text-right tabular-nums">{f.reached ? formatPercent((f.reached - f.answered) / f.reached) : '—'}</Td>
            </Tr>
          ))}
        </tbody>
      </Table>
    </details>
  );
}

function Latest({ s, arrived }: { s: DashboardSummary; arrived: ReadonlySet<string> }) {
  const sectorLabel = new Map(s.by_sector.map((x) => [x.sector, x.label]));
  return (
    <Card>
      <CardHeader title="Latest submissions" description={`The last ${s.latest.length}, newest first`} />
      <Table caption="Latest submissions">
        <thead><tr><Th>Respondent</Th><Th>Sector</Th><Th>Channel</Th><Th>Submitted</Th></tr></thead>
        <tbody className="divide-y divide-slate-100" data-testid="latest-submissions">
          {s.latest.map((a) => (
            <Tr key={a.id} className={arrived.has(a.id) ? 'bg-emerald-50/60' : undefined}>
              <Td>
                <Link className="font-medium text-brand-700 hover:underline" to={`/assessments/${a.id}`}>{a.respondent_name}</Link>
                {arrived.has(a.id) && <Badge tone="green" className="ml-2">New</Badge>}
              </Td>
              <Td>{sectorLabel.get(a.sector) ?? a.sector}</Td>
              <Td><Badge tone={a.channel === 'whatsapp' ? 'green' : 'blue'}>{channelLabel(a.channel)}</Badge></Td>
              <Td>{formatDateTime(a.submitted_at)}</Td>
            </Tr>
          ))}
        </tbody>
      </Table>
    </Card>
  );
}

/** Totals, breakdowns, the mean per skill, the drop-off funnel and the latest submissions, kept live. */
export function DashboardView() {
  const query = useDashboardSummary();
  const { status, arrived } = useLiveSummary();
  const updated = query.dataUpdatedAt ? new Date(query.dataUpdatedAt).toLocaleTimeString() : null;

  return (
    <>
      <PageHeader title="Dashboard" description={updated ? `Submissions as they arrive · updated ${updated}` : 'Submissions as they arrive.'}
        actions={<LiveIndicator status={status} />} />
      <QueryState query={query}>
        {(s) => (
          <div className="space-y-6">
            <Stats s={s} />
            {s.totals.all_time === 0 ? (
              <Card><EmptyState title="No submissions yet">This page updates by itself as soon as the first one arrives.</EmptyState></Card>
            ) : (
              <>
                <div className="grid gap-6 lg:grid-cols-2">
                  <Card>
                    <CardHeader title="By sector" />
                    <div className="p-4"><ChartSlot><CountBars label="By sector" rows={s.by_sector.map((x) => ({ name: x.label, value: x.count }))} /></ChartSlot></div>
                  </Card>
                  <Card>
                    <CardHeader title="By channel" />
                    <div className="p-4"><ChartSlot height={140}><CountBars label="By channel" height={140} rows={s.by_channel.map((x) => ({ name: channelLabel(x.channel), value: x.count }))} /></ChartSlot></div>
                  </Card>
                  <Card>
                    <CardHeader title="Mean score per skill" description="0 to 100, over every scored submission" />
                    <div className="p-4"><ChartSlot><SkillMeans skills={s.skills} /></ChartSlot></div>
                  </Card>
                  <Card>
                    <CardHeader title="Drop-off per question" description="Sessions shown each question against those that answered it" />
                    {s.funnel.length === 0 ? <EmptyState title="No funnel yet" /> : (
                      <>
                        <div className="p-4"><ChartSlot height={260}><Funnel funnel={s.funnel} /></ChartSlot></div>
                        <FunnelTable funnel={s.funnel} />
                      </>
                    )}
                  </Card>
                </div>
                <Latest s={s} arrived={arrived} />
              </>
            )}
          </div>
        )}
      </QueryState>
    </>
  );
}
