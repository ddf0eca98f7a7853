import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { MemoryRouter } from 'react-router';

import { session } from '@/lib/session';
import type { Role, UserPublic } from '@/types/api';

export function testUser(role: Role = 'super-admin', extra: Partial<UserPublic> = {}): UserPublic {
  return {
    id: '00000000-0000-4000-8000-000000000001', email: `${role}@example.org`, full_name: 'Test User', role,
    disabled: false, two_factor_enabled: false, created_at: '2026-01-01T00:00:00Z', ...extra,
  };
}

/** Signs a user in for the test, as a real sign-in would leave the session. */
export function signIn(user: UserPublic = testUser()): UserPublic {
  session.start({ access_token: 'access-1', refresh_token: 'refresh-1', expires_in: 900, token_type: 'bearer' }, user);
  return user;
}

export function renderWithProviders(ui: ReactElement, { route = '/' }: { route?: string } = {}) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <MemoryRouter initialEntries={[route]}>{ui}</MemoryRouter>
    </QueryClientProvider>,
  );
}
