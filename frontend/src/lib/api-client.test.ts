import { describe, expect, it } from 'vitest';

import { json, mockApi } from '@/testing/mock-api';
import { signIn } from '@/testing/render';

import { api, unwrap } from './api-client';
import { ApiError } from './errors';
import { session } from './session';

const pair = (n: number) => ({ access_token: `access-${n}`, refresh_token: `refresh-${n}`, expires_in: 900, token_type: 'bearer' as const });

describe('the api client', () => {
  it('sends the access token', async () => {
    signIn();
    const net = mockApi({ 'GET /api/v1/sectors': () => ({ items: [] }) });
    await unwrap(api.GET('/api/v1/sectors'));
    expect(net.calls[0]!.headers.get('authorization')).toBe('Bearer access-1');
  });

  it('refreshes once after a 401 and repeats the request with the new token', async () => {
    signIn();
    const net = mockApi({
      'GET /api/v1/sectors': (r) => (r.headers.get('authorization') === 'Bearer access-2' ? { items: [] } : json({ error: { code: 'unauthorized', message: 'expired' } }, 401)),
      'POST /api/v1/auth/refresh': () => pair(2),
    });
    await unwrap(api.GET('/api/v1/sectors'));
    expect(net.callsTo('POST /api/v1/auth/refresh')).toHaveLength(1);
    expect(await net.callsTo('POST /api/v1/auth/refresh')[0]!.json()).toEqual({ refresh_token: 'refresh-1' });
    expect(session.get()?.refreshToken).toBe('refresh-2');
  });

  it('never presents one refresh token twice when many requests fail together', async () => {
    signIn();
    const net = mockApi({
      'GET /api/v1/sectors': (r) => (r.headers.get('authorization') === 'Bearer access-2' ? { items: [] } : json({}, 401)),
      'POST /api/v1/auth/refresh': () => pair(2),
    });
    await Promise.all([1, 2, 3, 4].map(() => unwrap(api.GET('/api/v1/sectors'))));
    expect(net.callsTo('POST /api/v1/auth/refresh')).toHaveLength(1);
  });

  it('refreshes ahead of time when the access token is about to expire', async () => {
    session.start({ ...pair(1), expires_in: 10 }, null);
    const net = mockApi({ 'GET /api/v1/sectors': () => ({ items: [] }), 'POST /api/v1/auth/refresh': () => pair(2) });
    await unwrap(api.GET('/api/v1/sectors'));
    expect(net.callsTo('GET /api/v1/sectors')[0]!.headers.get('authorization')).toBe('Bearer access-2');
  });

  it('ends the session when the refresh token is refused', async () => {
    signIn();
    mockApi({
      'GET /api/v1/sectors': () => json({ error: { code: 'unauthorized', message: 'Sign in again.' } }, 401),
      'POST /api/v1/auth/refresh': () => json({ error: { code: 'unauthorized', message: 'no' } }, 401),
    });
    const error = await unwrap(api.GET('/api/v1/sectors')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(401);
    expect(session.get()).toBeNull();
  });

  it('sends no token to sign-in and keeps the MFA token the caller set', async () => {
    signIn();
    const net = mockApi({
      'POST /api/v1/auth/login': () => pair(3),
      'POST /api/v1/auth/2fa/verify-login': () => pair(4),
    });
    await unwrap(api.POST('/api/v1/auth/login', { body: { email: 'a@example.org', password: 'x' } }));
    await unwrap(api.POST('/api/v1/auth/2fa/verify-login', { body: { mfa_token: 'mfa', code: '123456' }, headers: { authorization: 'Bearer mfa' } }));
    expect(net.calls[0]!.headers.get('authorization')).toBeNull();
    expect(net.calls[1]!.headers.get('authorization')).toBe('Bearer mfa');
  });

  it('turns the API error body into an ApiError with code and details', async () => {
    signIn();
    mockApi({ 'GET /api/v1/sectors': () => json({ error: { code: 'validation_failed', message: 'Bad.', details: [{ loc: ['query', 'lang'], message: 'no' }] } }, 422) });
    const error = (await unwrap(api.GET('/api/v1/sectors')).catch((e: unknown) => e)) as ApiError;
    expect([error.status, error.code, error.message]).toEqual([422, 'validation_failed', 'Bad.']);
  });
});
