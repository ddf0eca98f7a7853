import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';

import * as realtime from '@/lib/realtime';
import { json, mockApi } from '@/testing/mock-api';
import { renderWithProviders, signIn } from '@/testing/render';

import type { ExportPublic } from '../api/get-exports';
import type { LinkPublic } from '../api/get-links';

import { applyProgress, ExportsView } from './exports-view';

function job(status: ExportPublic['status'], extra: Partial<ExportPublic> = {}): ExportPublic {
  return {
    id: 'e1', kind: 'assessments', status, filters: {}, owner_id: 'u1', filename: 'assessments-2026-11-29.xlsx', rows: 0, rows_total: 1000,
    bytes: null, sha256: null, error: null, created_at: '2026-11-29T10:00:00Z', started_at: null, finished_at: null, expires_at: null, ...extra,
  };
}
const SECTORS = { items: [{ code: 'agri', label: 'Agriculture', label_en: 'Agriculture', label_fr: 'Agriculture' }] };

describe('exports', () => {
  it('folds progress pushes into a progress table, ignoring an older one that arrives late', () => {
    let p = applyProgress({}, { type: 'export.progress', event_id: 'v1', export_id: 'e1', done: 250, total: 1000 });
    expect(p.e1).toEqual({ done: 250, total: 1000 });
    expect(applyProgress(p, { type: 'export.progress', export_id: 'e1', done: 100, total: 1000 })).toBe(p);
    p = applyProgress(p, { type: 'export.ready', export_id: 'e1', done: 1000, total: 1000 });
    expect(p.e1).toEqual({ done: 1000, total: 1000 });
    expect(applyProgress(p, { type: 'dashboard.delta', export_id: 'e1', done: 1, total: 1 })).toBe(p);
  });

  it('starts an export with its filters, moves the bar on pushes and shows the file when it is ready', async () => {
    signIn();
    let current = job('running');
    const net = mockApi({
      'GET /api/v1/exports': () => ({ items: [current], next_cursor: null }),
      'GET /api/v1/sectors': () => SECTORS,
      'POST /api/v1/exports': () => json({ export_id: 'e2', status: 'pending' }, 202),
    });
    let push: (m: realtime.RealtimeMessage) => void = () => {};
    vi.spyOn(realtime, 'useRealtime').mockImplementation((_t, onMessage) => {
      push = onMessage;
      return 'live';
    });
    renderWithProviders(<ExportsView kinds={['assessments', 'answers']} />);
    const bar = await screen.findByRole('progressbar', { name: 'Export progress' });
    act(() => push({ type: 'export.progress', event_id: 'v1', export_id: 'e1', done: 400, total: 1000 }));
    await waitFor(() => expect(bar).toHaveAttribute('aria-valuenow', '400'));
    expect(screen.getByText('400 / 1,000 rows')).toBeInTheDocument();

    await userEvent.selectOptions(await screen.findByLabelText('Sector'), 'agri');
    await userEvent.selectOptions(screen.getByLabelText('Channel'), 'whatsapp');
    await userEvent.click(screen.getByRole('button', { name: 'Start export' }));
    await waitFor(() => expect(net.callsTo('POST /api/v1/exports')).toHaveLength(1));
    expect(await net.callsTo('POST /api/v1/exports')[0]!.json()).toEqual({ kind: 'assessments', filters: { sector: 'agri', channel: 'whatsapp' } });
    // The accepted export shows at once, pending with its bar, before the list has it.
    await waitFor(() => expect(screen.getAllByRole('progressbar', { name: 'Export progress' })).toHaveLength(2));
    expect(screen.getByText('sector agri · channel whatsapp')).toBeInTheDocument();

    current = job('ready', { rows: 1000, bytes: 48_213, expires_at: '2026-12-29T10:00:00Z' });
    act(() => push({ type: 'export.ready', event_id: 'v2', export_id: 'e1', done: 1000, total: 1000 }));
    expect(await screen.findByRole('button', { name: 'Download assessments-2026-11-29.xlsx' })).toBeInTheDocument();
    expect(screen.getByText('1,000 rows · 47.1 KB')).toBeInTheDocument();
  });

  it('mints a share link shown once, lists links with their counts, and revokes', async () => {
    signIn();
    let links: LinkPublic[] = [{ id: 'l1', export_id: 'e1', status: 'active', created_by: 'u1', created_at: '2026-11-29T10:00:00Z', expires_at: '2026-11-30T10:00:00Z',
      max_downloads: 3, downloads: 1, last_download_at: '2026-11-29T11:00:00Z', revoked_at: null }];
    const net = mockApi({
      'GET /api/v1/exports': () => ({ items: [job('ready', { rows: 10, bytes: 2048 })], next_cursor: null }),
      'GET /api/v1/sectors': () => SECTORS,
      'GET /api/v1/exports/e1/links': () => ({ items: links }),
      'POST /api/v1/exports/e1/links': () => json({ id: 'l2', url: 'http://127.0.0.1:8000/api/v1/d/secret-token', expires_at: '2026-12-06T10:00:00Z', max_downloads: null, downloads: 0 }, 201),
      'DELETE /api/v1/exports/e1/links/l1': () => {
        links = [{ ...links[0]!, status: 'revoked', revoked_at: '2026-11-29T12:00:00Z' }];
        return new Response(null, { status: 204 });
      },
    });
    vi.spyOn(realtime, 'useRealtime').mockReturnValue('live');
    renderWithProviders(<ExportsView kinds={['assessments']} />);
    await userEvent.click(await screen.findByRole('button', { name: 'Share links' }));
    const list = await screen.findByRole('list', { name: 'Share links' });
    expect(within(list).getByText('1 of 3')).toBeInTheDocument();
    await userEvent.selectOptions(screen.getByLabelText('Expires after'), '604800');
    await userEvent.click(screen.getByRole('button', { name: 'Create link' }));
    expect(await screen.findByLabelText('New share link (shown once)')).toHaveValue('http://127.0.0.1:8000/api/v1/d/secret-token');
    expect(await net.callsTo('POST /api/v1/exports/e1/links')[0]!.json()).toEqual({ expires_in: 604800, max_downloads: null });
    await userEvent.click(within(list).getByRole('button', { name: 'Revoke' }));
    expect(await within(list).findByText('Revoked')).toBeInTheDocument();
    expect(within(list).queryByRole('button', { name: 'Revoke' })).toBeNull();
  });

  it('offers only the kinds the role may export', async () => {
    signIn();
    mockApi({ 'GET /api/v1/exports': () => ({ items: [], next_cursor: null }), 'GET /api/v1/sectors': () => SECTORS });
    vi.spyOn(realtime, 'useRealtime').mockReturnValue('live');
    renderWithProviders(<ExportsView kinds={['costs']} />);
    expect(within(screen.getByLabelText('What')).getAllByRole('option').map((o) => o.textContent)).toEqual(['Costs']);
    expect(screen.queryByLabelText('Sector')).toBeNull();
    expect(await screen.findByText('No exports yet')).toBeInTheDocument();
  });
});
