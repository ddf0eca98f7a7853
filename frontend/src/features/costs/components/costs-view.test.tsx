import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';

import { mockApi } from '@/testing/mock-api';
import { renderWithProviders, signIn, testUser } from '@/testing/render';

import { CostsView } from './costs-view';

const totals = { requests: 12, direct_usd: '0.0000420', shared_usd: '0.0000100', total_usd: '0.0000520', unallocated_shared_usd: '0', shared_pool: {} };

describe('costs', () => {
  it('shows totals, a breakdown, the cost per assessment and the requests, and regroups on demand', async () => {
    signIn(testUser('finance'));
    const net = mockApi({
      'GET /api/v1/costs/summary': (r) => ({
        from: '2026-11-01T00:00:00Z', to: '2026-11-30T00:00:00Z', group_by: new URL(r.url).searchParams.get('group_by'),
        profile: 'default', price_version: 1, groups: [{ key: 'GET /api/v1/health', requests: 12, direct_usd: '0.0000420', shared_usd: '0.0000100', total_usd: '0.0000520' }], totals,
      }),
      'GET /api/v1/costs/per-assessment': () => ({
        from: '2026-11-01T00:00:00Z', to: '2026-11-30T00:00:00Z',
        groups: [{ channel: 'web', sector: 'agri', assessments: 3, mean_usd: '0.0001', median_usd: '0.0001', p95_usd: '0.0002', total_usd: '0.0003' }],
      }),
      'GET /api/v1/costs/requests': () => ({ items: [], next_cursor: null }),
    });
    renderWithProviders(<CostsView />);
    expect(await screen.findByText('Total', { selector: 'p' })).toBeInTheDocument();
    expect(screen.getByText('Total', { selector: 'p' }).nextSibling).toHaveTextContent('$0.0000520');
    expect(screen.getByText('GET /api/v1/health')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('tab', { name: 'Route' }));
    await waitFor(() => expect(net.callsTo('GET /api/v1/costs/summary').map((c) => new URL(c.url).searchParams.get('group_by'))).toEqual(['day', 'route']));
    expect(await screen.findByRole('table', { name: 'Cost per completed assessment' })).toHaveTextContent('agri');
    expect(await screen.findByText('No requests in this period')).toBeInTheDocument();
  });
});
