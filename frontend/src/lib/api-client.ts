import createClient from 'openapi-fetch';

import { getConfig } from '@/config/env';
import { ApiError } from '@/lib/errors';
import { withLock } from '@/lib/locks';
import { session } from '@/lib/session';
import type { paths, TokenPair } from '@/types/api';

/**
 * THE api client: typed from the generated OpenAPI paths. Every request goes through authFetch, which adds
 * the access token, refreshes it shortly before it expires or after a 401, and retries once.
 *
 * Refresh tokens rotate and presenting a rotated one revokes the whole session, so a refresh must never run
 * twice with the same token: one refresh at a time per browser (a Web Lock across tabs, a shared promise
 * within one), and inside the lock the session is re-read in case another tab already rotated it.
 */
const REFRESH_MARGIN_MS = 30_000;
const NO_TOKEN = ['/api/v1/auth/login', '/api/v1/auth/signup', '/api/v1/auth/refresh'];

function apiUrl(path: string): string {
  const base = getConfig().apiBase || window.location.origin;
  return new URL(path, base.endsWith('/') ? base : `${base}/`).toString();
}

let refreshing: Promise<boolean> | null = null;

/** Makes sure a newer access token than `stale` exists; false when the session is over. */
export function refreshSession(stale: string | null): Promise<boolean> {
  refreshing ??= withLock('skills-session-refresh', async () => {
    const current = session.reload();
    if (!current) return false;
    if (current.accessToken !== stale && current.accessExpiresAt - Date.now() > REFRESH_MARGIN_MS) return true;
    const response = await fetch(apiUrl('/api/v1/auth/refresh'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refresh_token: current.refreshToken }),
    });
    if (response.ok) {
      session.rotate((await response.json()) as TokenPair);
      return true;
    }
    if (response.status === 401) session.clear();
    return false;
  }).finally(() => {
    refreshing = null;
  });
  return refreshing;
}

function withToken(request: Request, token: string | undefined): Request {
  const next = new Request(request);
  if (token && !request.headers.has('authorization')) next.headers.set('authorization', `Bearer ${token}`);
  return next;
}

export async function authFetch(input: Request): Promise<Response> {
  const base = getConfig().apiBase;
  let request = input;
  if (base) {
    const url = new URL(input.url);
    request = new Request(apiUrl(url.pathname + url.search), input);
  }
  const path = new URL(request.url).pathname;
  if (NO_TOKEN.includes(path) || request.headers.has('authorization')) return fetch(request);

  let current = session.get();
  if (current && current.accessExpiresAt - Date.now() < REFRESH_MARGIN_MS) {
    await refreshSession(current.accessToken);
    current = session.get();
  }
  const retry = request.clone();
  const response = await fetch(withToken(request, current?.accessToken));
  if (response.status !== 401 || !current) return response;
  if (!(await refreshSession(current.accessToken))) return response;
  return fetch(withToken(retry, session.get()?.accessToken));
}

export const api = createClient<paths>({
  baseUrl: typeof window !== 'undefined' ? window.location.origin : 'http://localhost',
  fetch: authFetch,
});

type Result<T> = { data?: T; error?: unknown; response: Response };

/** The data of a successful answer; throws ApiError with the API's error body otherwise. */
export async function unwrap<T>(call: Promise<Result<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok || error !== undefined) throw ApiError.from(response.status, error);
  return data as T;
}
