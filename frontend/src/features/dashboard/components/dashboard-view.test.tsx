import { act, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';

import * as realtime from '@/lib/realtime';
import { mockApi } from '@/testing/mock-api';
import { renderWithProviders, signIn } from '@/testing/render';
import type { DashboardSummary } from '@/types/api';

import { applyDelta, asDashboardDelta, type DashboardDelta } from '../api/delta';

import { DashboardView } from './dashboard-view';

function summary(total: number): DashboardSummary {
  return {
    scope: 'all',
    generated_at: '2026-11-29T10:00:00Z',
    totals: { today: total, last_7_days: total, all_time: total },
    by_sector: [{ sector: 'agri', label: 'Agriculture', count: total }],
    by_channel: [{ channel: 'web', count: total }],
    skills: [{ skill: 'digital', label: 'Digital', mean: 61.5, count: total }],
    funnel_version_id: 'v1',
    funnel: [{ question_id: 'q1', code: 'computer', label: 'Computer?', position: 1, reached: total, answered: total }],
    latest: Array.from({ length: total }, (_, i) => ({ id: `a${i}`, respondent_name: `Person ${i}`, sector: 'agri', channel: 'web', submitted_at: '2026-11-29T10:00:00Z' })),
  };
}

function delta(assessments: { id: string; sector: string; channel: string }[]): DashboardDelta {
  const count = (key: 'sector' | 'channel') => assessments.reduce<Record<string, number>>((c, a) => ({ ...c, [a[key]]: (c[a[key]] ?? 0) + 1 }), {});
  return {
    type: 'dashboard.delta', at: '2026-11-29T10:00:01Z', submissions: assessments.length, by_sector: count('sector'), by_channel: count('channel'),
    assessments: assessments.map((a, i) => ({ event_id: `e${i}`, assessment_id: a.id, sector: a.sector, channel: a.channel })), truncated: false,
  };
}

describe('a dashboard delta', () => {
  it('adds its counts to the totals, sectors and channels, new ones included', () => {
    const next = applyDelta(summary(2), delta([{ id: 'x', sector: 'ict', channel: 'whatsapp' }, { id: 'y', sector: 'agri', channel: 'web' }]));
    expect(next.totals).toEqual({ today: 4, last_7_days: 4, all_time: 4 });
    expect(next.by_sector).toEqual([{ sector: 'agri', label: 'Agriculture', count: 3 }, { sector: 'ict', label: 'ict', count: 1 }]);
    expect(next.by_channel).toEqual([{ channel: 'web', count: 3 }, { channel: 'whatsapp', count: 1 }]);
    expect(next.latest).toEqual(summary(2).latest);
  });

  it('is recognised only in its shape', () => {
    expect(asDashboardDelta({ type: 'dashboard.delta', submissions: -1, by_sector: {}, by_channel: {}, assessments: [] })).toBeNull();
    expect(asDashboardDelta({ type: 'dashboard.delta', submissions: 1, by_sector: { agri: 'x' }, by_channel: {}, assessments: [] })).toBeNull();
    expect(asDashboardDelta({ type: 'export.ready', submissions: 1, by_sector: {}, by_channel: {}, assessments: [] })).toBeNull();
    expect(asDashboardDelta({ ...delta([{ id: 'x', sector: 'agri', channel: 'web' }]) })).not.toBeNull();
  });
});

describe('the dashboard', () => {
  it('moves the figures when a push arrives, then refetches the summary once for a burst', async () => {
    signIn();
    let total = 1;
    const net = mockApi({ 'GET /api/v1/dashboard/summary': () => summary(total) });
    let push: (m: realtime.RealtimeMessage) => void = () => {};
    vi.spyOn(realtime, 'useRealtime').mockImplementation((_topics, onMessage) => {
      push = onMessage;
      return 'live';
    });
    renderWithProviders(<DashboardView />);
    expect(await screen.findByTestId('total-all')).toHaveTextContent('1');
    expect(screen.getByRole('status')).toHaveTextContent('Live');
    total = 3;
    act(() => push(delta([{ id: 'a1', sector: 'agri', channel: 'web' }])));
    expect(await screen.findByTestId('total-all')).toHaveTextContent('2');
    act(() => push(delta([{ id: 'a2', sector: 'agri', channel: 'web' }])));
    await waitFor(() => expect(screen.getByTestId('total-all')).toHaveTextContent('3'));
    const latest = await screen.findByTestId('latest-submissions');
    await waitFor(() => expect(within(latest).getByText('Person 2')).toBeInTheDocument());
    expect(within(latest).getAllByText('New')).toHaveLength(2);
    expect(within(latest).getAllByText('Agriculture')).toHaveLength(3);
    await waitFor(() => expect(net.callsTo('GET /api/v1/dashboard/summary')).toHaveLength(2));
  });

  it('refetches when the connection is live again (pushes may have been missed)', async () => {
    signIn();
    let total = 1;
    const net = mockApi({ 'GET /api/v1/dashboard/summary': () => summary(total) });
    let live: () => void = () => {};
    vi.spyOn(realtime, 'useRealtime').mockImplementation((_topics, _onMessage, onLive) => {
      live = onLive ?? live;
      return 'live';
    });
    renderWithProviders(<DashboardView />);
    expect(await screen.findByTestId('total-all')).toHaveTextContent('1');
    total = 5;
    act(() => live());
    await waitFor(() => expect(screen.getByTestId('total-all')).toHaveTextContent('5'));
    expect(net.callsTo('GET /api/v1/dashboard/summary')).toHaveLength(2);
  });

  it('says when it is not live', async () => {
    signIn();
    mockApi({ 'GET /api/v1/dashboard/summary': () => summary(0) });
    vi.spyOn(realtime, 'useRealtime').mockReturnValue('offline');
    renderWithProviders(<DashboardView />);
    expect(await screen.findByText('No submissions yet')).toBeInTheDocument();
    expect(screen.getByText('Offline: reconnecting')).toBeInTheDocument();
  });
});
