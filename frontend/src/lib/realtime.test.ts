import { describe, expect, it, vi } from 'vitest';

import { RealtimeConnection, webSocketUrl, type RealtimeMessage } from './realtime';

/** A WebSocket stand-in: records what the client sends; the test opens, pushes and closes. */
class FakeSocket {
  static all: FakeSocket[] = [];
  static OPEN = 1;
  readyState = 0;
  sent: RealtimeMessage[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send(data: string) {
    this.sent.push(JSON.parse(data) as RealtimeMessage);
  }
  close() {
    this.readyState = 3;
    this.onclose?.();
  }
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  push(message: RealtimeMessage) {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
}

function setup() {
  FakeSocket.all = [];
  vi.stubGlobal('WebSocket', FakeSocket);
  vi.useFakeTimers();
  let n = 0;
  const ticket = vi.fn(async () => ({ ticket: `t${++n}`, expires_at: '2026-11-29T10:01:00Z' }));
  const connection = new RealtimeConnection(ticket, () => 'ws://localhost:3000/api/v1/ws/dashboard', () => 0.5);
  return { connection, ticket };
}

describe('the realtime connection', () => {
  it('connects with a fresh ticket, subscribes and pings', async () => {
    const { connection } = setup();
    const messages: RealtimeMessage[] = [];
    connection.subscribe({ topics: ['dashboard'], onMessage: (m) => messages.push(m) });
    await vi.waitFor(() => expect(FakeSocket.all).toHaveLength(1));
    const socket = FakeSocket.all[0]!;
    expect(socket.url).toBe('ws://localhost:3000/api/v1/ws/dashboard?ticket=t1');
    socket.open();
    expect(socket.sent[0]).toEqual({ type: 'subscribe', topics: ['dashboard'] });
    // Live only once the server confirms: pushes reach the connection from then on.
    expect(connection.status).toBe('connecting');
    socket.push({ type: 'subscribed', topics: ['dashboard'] });
    expect(connection.status).toBe('live');
    vi.advanceTimersByTime(25_000);
    expect(socket.sent[1]).toEqual({ type: 'ping' });
    socket.push({ type: 'pong' });
    socket.push({ type: 'dashboard.delta', submissions: 3 });
    expect(messages).toEqual([{ type: 'dashboard.delta', submissions: 3 }]);
    vi.advanceTimersByTime(20_000);
    expect(socket.readyState).toBe(1);
    vi.useRealTimers();
  });

  it('drops a connection whose pong does not come, and connects again', async () => {
    const { connection } = setup();
    connection.subscribe({ topics: ['dashboard'], onMessage: () => {} });
    await vi.waitFor(() => expect(FakeSocket.all).toHaveLength(1));
    FakeSocket.all[0]!.open();
    FakeSocket.all[0]!.push({ type: 'subscribed', topics: ['dashboard'] });
    await vi.advanceTimersByTimeAsync(25_000 + 9_999);
    expect(FakeSocket.all[0]!.readyState).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(FakeSocket.all[0]!.readyState).toBe(3);
    expect(connection.status).toBe('offline');
    await vi.advanceTimersByTimeAsync(750);
    expect(FakeSocket.all).toHaveLength(2);
    vi.useRealTimers();
  });

  it('says so when the server refuses a topic, and does not retry', async () => {
    const { connection, ticket } = setup();
    connection.subscribe({ topics: ['dashboard'], onMessage: () => {} });
    await vi.waitFor(() => expect(FakeSocket.all).toHaveLength(1));
    FakeSocket.all[0]!.open();
    FakeSocket.all[0]!.push({ type: 'error', error: { code: 'forbidden', message: 'no', details: null } });
    expect(connection.status).toBe('unavailable');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(ticket).toHaveBeenCalledTimes(1);
    vi.useRealTimers();
  });

  it('tells a listener that joins later once its topic is confirmed', async () => {
    const { connection } = setup();
    connection.subscribe({ topics: ['dashboard'], onMessage: () => {} });
    await vi.waitFor(() => expect(FakeSocket.all).toHaveLength(1));
    const socket = FakeSocket.all[0]!;
    socket.open();
    socket.push({ type: 'subscribed', topics: ['dashboard'] });
    const live = vi.fn();
    connection.subscribe({ topics: ['exports'], onMessage: () => {}, onLive: live });
    expect(socket.sent.at(-1)).toEqual({ type: 'subscribe', topics: ['exports'] });
    expect(live).not.toHaveBeenCalled();
    socket.push({ type: 'subscribed', topics: ['dashboard', 'exports'] });
    socket.push({ type: 'subscribed', topics: ['dashboard', 'exports'] });
    expect(live).toHaveBeenCalledTimes(1);
    vi.useRealTimers();
  });

  it('reconnects with growing waits and tells listeners to refetch each time it is live', async () => {
    const { connection, ticket } = setup();
    const live = vi.fn();
    connection.subscribe({ topics: ['dashboard'], onMessage: () => {}, onLive: live });
    await vi.waitFor(() => expect(FakeSocket.all).toHaveLength(1));
    FakeSocket.all[0]!.open();
    FakeSocket.all[0]!.push({ type: 'subscribed', topics: ['dashboard'] });
    expect(live).toHaveBeenCalledTimes(1);
    FakeSocket.all[0]!.close();
    expect(connection.status).toBe('offline');
    await vi.advanceTimersByTimeAsync(749);
    expect(FakeSocket.all).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(FakeSocket.all).toHaveLength(2);
    FakeSocket.all[1]!.close();
    await vi.advanceTimersByTimeAsync(1499);
    expect(FakeSocket.all).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(FakeSocket.all).toHaveLength(3);
    expect(FakeSocket.all[2]!.url).toContain('ticket=t3');
    expect(ticket).toHaveBeenCalledTimes(3);
    FakeSocket.all[2]!.open();
    FakeSocket.all[2]!.push({ type: 'subscribed', topics: ['dashboard'] });
    expect(live).toHaveBeenCalledTimes(2);
    expect(connection.status).toBe('live');
    vi.useRealTimers();
  });

  it('caps the wait at 30 seconds, with jitter', () => {
    const { connection } = setup();
    expect([0, 1, 2, 10].map((n) => connection.backoff(n))).toEqual([750, 1500, 3000, 22_500]);
    vi.useRealTimers();
  });

  it('stays offline without trying where the deployment has no WebSocket API', async () => {
    FakeSocket.all = [];
    vi.stubGlobal('WebSocket', FakeSocket);
    const ticket = vi.fn(async () => ({ ticket: 't', expires_at: '2026-11-29T10:01:00Z' }));
    const connection = new RealtimeConnection(ticket, () => undefined);
    connection.subscribe({ topics: ['dashboard'], onMessage: () => {} });
    await Promise.resolve();
    expect(connection.status).toBe('unavailable');
    expect(ticket).not.toHaveBeenCalled();
    expect(FakeSocket.all).toHaveLength(0);
  });

  it('closes when the last listener leaves', async () => {
    const { connection } = setup();
    const off = connection.subscribe({ topics: ['dashboard'], onMessage: () => {} });
    await vi.waitFor(() => expect(FakeSocket.all).toHaveLength(1));
    FakeSocket.all[0]!.open();
    off();
    expect(connection.status).toBe('offline');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeSocket.all).toHaveLength(1);
    vi.useRealTimers();
  });
});

describe('the WebSocket URL', () => {
  const base = { apiBase: '', environment: 'local' };
  it('is config.json\'s where it names one', () => {
    expect(webSocketUrl({ ...base, environment: 'prod', wsUrl: 'wss://ws.example.org/prod' }, { protocol: 'https:', host: 'app.example.org' }))
      .toBe('wss://ws.example.org/prod');
  });
  it('is the page\'s own origin locally', () => {
    expect(webSocketUrl(base, { protocol: 'http:', host: '127.0.0.1:8123' })).toBe('ws://127.0.0.1:8123/api/v1/ws/dashboard');
    expect(webSocketUrl(base, { protocol: 'https:', host: 'dev.local' })).toBe('wss://dev.local/api/v1/ws/dashboard');
  });
  it('is none in a deployment without one', () => {
    expect(webSocketUrl({ ...base, environment: 'prod' }, { protocol: 'https:', host: 'app.example.org' })).toBeNull();
  });
});
