import { vi } from 'vitest';

/**
 * A stand-in for the network at the fetch edge: routes "METHOD /path" to handlers that answer a JSON body
 * (status 200) or a Response. Every request is recorded, so a test can check what was sent (headers, body).
 * An unrouted request fails the test loudly.
 */
export type Handler = (request: Request) => unknown | Promise<unknown>;

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

export function mockApi(routes: Record<string, Handler>) {
  const calls: Request[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(input, init);
    calls.push(request.clone());
    const url = new URL(request.url);
    const handler = routes[`${request.method} ${url.pathname}`];
    if (!handler) throw new Error(`unexpected request ${request.method} ${url.pathname}`);
    const answer = await handler(request);
    return answer instanceof Response ? answer : json(answer);
  });
  vi.stubGlobal('fetch', fetchMock);
  return {
    calls,
    callsTo: (route: string) => calls.filter((c) => `${c.method} ${new URL(c.url).pathname}` === route),
  };
}
