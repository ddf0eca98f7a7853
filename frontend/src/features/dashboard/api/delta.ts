import type { RealtimeMessage } from '@/lib/realtime';
import type { DashboardSummary } from '@/types/api';

/**
 * `dashboard.delta`, as the outbox relay pushes it to `dashboard` subscribers (shared/realtime/broadcast.py):
 * every submission since the last push (at most one a second), counted by sector code and channel, with the
 * first hundred assessments' ids. Means, the funnel and the latest rows are not in it: the summary is
 * refetched for those.
 */
export type DashboardDelta = {
  type: 'dashboard.delta';
  at: string;
  submissions: number;
  by_sector: Record<string, number>;
  by_channel: Record<string, number>;
  assessments: { event_id: string; assessment_id: string; sector: string; channel: string }[];
  truncated: boolean;
};

const isCounts = (v: unknown): v is Record<string, number> =>
  typeof v === 'object' && v !== null && Object.values(v).every((n) => typeof n === 'number' && Number.isInteger(n) && n >= 0);

export function asDashboardDelta(message: RealtimeMessage): DashboardDelta | null {
  if (message.type !== 'dashboard.delta') return null;
  const { submissions, by_sector, by_channel, assessments } = message;
  if (typeof submissions !== 'number' || !Number.isInteger(submissions) || submissions < 0) return null;
  if (!isCounts(by_sector) || !isCounts(by_channel) || !Array.isArray(assessments)) return null;
  return message as unknown as DashboardDelta;
}

function addCounts<T extends { count: number }>(rows: T[], keyOf: (row: T) => string, delta: Record<string, number>, make: (key: string, count: number) => T): T[] {
  const seen = new Set<string>();
  const next = rows.map((row) => {
    const key = keyOf(row);
    seen.add(key);
    return delta[key] ? { ...row, count: row.count + delta[key] } : row;
  });
  for (const [key, count] of Object.entries(delta)) if (!seen.has(key) && count > 0) next.push(make(key, count));
  return next.sort((a, b) => b.count - a.count);
}

/**
 * The summary with a delta's counts added at once (totals, by sector, by channel), so the figures move the
 * moment the push arrives; the refetch that follows brings the rest and replaces these. A submission is
 * counted today (the relay pushes within seconds of its commit).
 */
export function applyDelta(summary: DashboardSummary, delta: DashboardDelta): DashboardSummary {
  const n = delta.submissions;
  if (n === 0) return summary;
  return {
    ...summary,
    totals: { today: summary.totals.today + n, last_7_days: summary.totals.last_7_days + n, all_time: summary.totals.all_time + n },
    by_sector: addCounts(summary.by_sector, (r) => r.sector, delta.by_sector, (sector, count) => ({ sector, label: sector, count })),
    by_channel: addCounts(summary.by_channel, (r) => r.channel, delta.by_channel, (channel, count) => ({ channel, count })),
  };
}
