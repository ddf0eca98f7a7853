import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';

import * as realtime from '@/lib/realtime';
import { json, mockApi } from '@/testing/mock-api';
import { renderWithProviders, signIn } from '@/testing/render';

import { applyProgress, ExportsView } from './exports-view';

const running = { id: 'e1', kind: 'assessments', status: 'running', filters: {}, rows: 0, rows_total: 1000, created_at: '2026-11-29T10:00:00Z' };

describe('exports', () => {
  it('folds progress pushes into a progress bar and completes on ready', () => {
    let p = applyProgress({}, { type: 'export.progress', export_id: 'e1', done: 250, total: 1000 });
    expect(p.e1).toEqual({ done: 250, total: 1000 });
    p = applyProgress(p, { type: 'export.ready', export_id: 'e1' });
    expect(p.e1).toEqual({ done: 1000, total: 1000 });
    expect(applyProgress(p, { type: 'dashboard' })).toBe(p);
  });

  it('starts an export and shows the running one with its progress', async () => {
    signIn();
    const net = mockApi({
      'GET /api/v1/exports': () => ({ items: [running] }),
      'POST /api/v1/exports': () => json({ export_id: 'e2', status: 'pending' }, 202),
    });
    let push: (m: realtime.RealtimeMessage) => void = () => {};
    vi.spyOn(realtime, 'useRealtime').mockImplementation((_t, onMessage) => {
      push = onMessage;
      return 'live';
    });
    renderWithProviders(<ExportsView kinds={['assessments', 'answers']} />);
    const bar = await screen.findByRole('progressbar', { name: 'Export progress' });
    push({ type: 'export.progress', export_id: 'e1', done: 400, total: 1000 });
    await waitFor(() => expect(bar).toHaveAttribute('aria-valuenow', '400'));
    await userEvent.click(screen.getByRole('button', { name: 'Start export' }));
    await waitFor(() => expect(net.callsTo('POST /api/v1/exports')).toHaveLength(1));
    expect(await net.callsTo('POST /api/v1/exports')[0]!.json()).toEqual({ kind: 'assessments', filters: {} });
  });

  it('offers only the kinds the role may export', () => {
    signIn();
    mockApi({ 'GET /api/v1/exports': () => ({ items: [] }) });
    vi.spyOn(realtime, 'useRealtime').mockReturnValue('live');
    renderWithProviders(<ExportsView kinds={['costs']} />);
    expect(screen.getAllByRole('option').map((o) => o.textContent)).toEqual(['Costs']);
  });
});
