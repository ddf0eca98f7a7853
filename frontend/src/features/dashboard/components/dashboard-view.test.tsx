import { screen, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';

import * as realtime from '@/lib/realtime';
import { mockApi } from '@/testing/mock-api';
import { renderWithProviders, signIn } from '@/testing/render';

import type { DashboardSummary } from '../api/contract';

import { DashboardView } from './dashboard-view';

function summary(total: number): DashboardSummary {
  return {
    totals: { today: total, last_7_days: total, all_time: total },
    by_sector: [{ sector: 'agri', label: 'Agriculture', count: total }],
    by_channel: [{ channel: 'web', count: total }],
    skills: [{ skill: 'digital', label: 'Digital', mean: 61.5 }],
    funnel: [{ question_id: 'q1', code: 'computer', label: 'Computer?', reached: total, answered: total }],
    latest: Array.from({ length: total }, (_, i) => ({ id: `a${i}`, respondent_name: `Person ${i}`, sector: 'agri', channel: 'web', submitted_at: '2026-11-29T10:00:00Z' })),
  };
}

describe('the dashboard', () => {
  it('shows the summary and refetches it when a push arrives', async () => {
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
    expect(screen.getByRole('status', { name: '' })).toHaveTextContent('Live');
    total = 2;
    push({ type: 'dashboard', changed: ['totals'] });
    push({ type: 'dashboard', changed: ['latest'] });
    await waitFor(() => expect(screen.getByTestId('total-all')).toHaveTextContent('2'));
    expect(screen.getByText('Person 1')).toBeInTheDocument();
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
