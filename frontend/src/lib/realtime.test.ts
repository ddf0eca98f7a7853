import { describe, expect, it, vi } from 'vitest';

import { RealtimeConnection, type RealtimeMessage } from './realtime';

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
    expect(connection.status).toBe('live');
    expect(socket.sent[0]).toEqual({ type: 'subscribe', topics: ['dashboard'] });
    vi.advanceTimersByTime(25_000);
    expect(socket.sent[1]).toEqual({ type: 'ping' });
    socket.push({ type: 'pong' });
    socket.push({ type: 'dashboard', total: 3 });
    expect(messages).toEqual([{ type: 'dashboard', total: 3 }]);
    vi.useRealTimers();
  });

  it('reconnects with growing waits and tells listeners to refetch', async () => {
    const { connection, ticket } = setup();
    const reconnected = vi.fn();
    connection.subscribe({ topics: ['dashboard'], onMessage: () => {}, onReconnect: reconnected });
    await vi.waitFor(() => expect(FakeSocket.all).toHaveLength(1));
    FakeSocket.all[0]!.open();
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
    expect(reconnected).toHaveBeenCalledTimes(1);
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
