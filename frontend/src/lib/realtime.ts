import { useEffect, useRef, useSyncExternalStore } from 'react';

import { getConfig } from '@/config/env';
import { api, unwrap } from '@/lib/api-client';
import type { TicketOut } from '@/types/api';

/**
 * The one WebSocket to the platform (the dashboard and export progress share it). Connecting takes a
 * single-use ticket from POST /api/v1/ws/ticket, never a JWT in the URL. It subscribes to the topics its
 * listeners want and is live once the server confirms (`subscribed`), pings every 25 s and closes a
 * connection whose pong does not come within 10 s, and reconnects with exponential backoff and jitter (1 s
 * up to 30 s). Each time a connection is confirmed (the first included: a read made before it may have
 * missed a push) listeners hear `onLive` and refetch what they show.
 */
export type RealtimeStatus = 'connecting' | 'live' | 'offline' | 'unavailable';
export type RealtimeMessage = { type: string; [key: string]: unknown };
type Listener = { topics: string[]; onMessage: (message: RealtimeMessage) => void; onLive?: () => void };

const PING_MS = 25_000;
const PONG_WAIT_MS = 10_000;
const MAX_BACKOFF_MS = 30_000;

type Ticket = Pick<TicketOut, 'ticket' | 'expires_at'>;
const WS_PATH = '/api/v1/ws/dashboard';

/**
 * Where the WebSocket API is: config.json's `wsUrl` (in AWS the deployment writes API Gateway's wss:// URL
 * there); without one, locally, the gateway's own origin, which serves it at /api/v1/ws/dashboard. None
 * elsewhere: that deployment has no live updates.
 */
export function webSocketUrl(config = getConfig(), location: Pick<Location, 'protocol' | 'host'> = window.location): string | null {
  if (config.wsUrl) return config.wsUrl;
  if (config.environment !== 'local') return null;
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${WS_PATH}`;
}

export class RealtimeConnection {
  status: RealtimeStatus = 'offline';
  private socket: WebSocket | null = null;
  private listeners = new Set<Listener>();
  private statusListeners = new Set<(s: RealtimeStatus) => void>();
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private ping: ReturnType<typeof setInterval> | null = null;
  private pongDue: ReturnType<typeof setTimeout> | null = null;
  private stopped = true;

  constructor(
    private readonly getTicket: () => Promise<Ticket> = () => unwrap(api.POST('/api/v1/ws/ticket')),
    private readonly url: () => string | null | undefined = () => webSocketUrl(),
    private readonly random: () => number = Math.random,
  ) {}

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    if (this.stopped) this.start();
    else if (this.socket?.readyState === WebSocket.OPEN) this.send({ type: 'subscribe', topics: listener.topics });
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  onStatus(listener: (s: RealtimeStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => {
      this.statusListeners.delete(listener);
    };
  }

  /** The wait before reconnect attempt n (0-based): 1 s doubling up to 30 s, with up to 50% jitter. */
  backoff(n: number): number {
    const base = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** n);
    return Math.round(base / 2 + (base / 2) * this.random());
  }

  private setStatus(status: RealtimeStatus) {
    this.status = status;
    this.statusListeners.forEach((l) => l(status));
  }

  private send(message: RealtimeMessage) {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  private start() {
    this.stopped = false;
    void this.connect();
  }

  private clearKeepalive() {
    if (this.ping) clearInterval(this.ping);
    if (this.pongDue) clearTimeout(this.pongDue);
    this.ping = null;
    this.pongDue = null;
  }

  private stop() {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.clearKeepalive();
    this.socket?.close(1000);
    this.socket = null;
    this.setStatus('offline');
  }

  private async connect() {
    if (this.stopped) return;
    const endpoint = this.url();
    if (!endpoint) {
      // This deployment has no WebSocket API: the page works, without live updates.
      this.setStatus('unavailable');
      return;
    }
    this.setStatus('connecting');
    let ticket: Ticket;
    try {
      ticket = await this.getTicket();
    } catch {
      return this.retry();
    }
    if (this.stopped) return;
    const url = new URL(endpoint);
    url.searchParams.set('ticket', ticket.ticket);
    const socket = new WebSocket(url.toString());
    this.socket = socket;
    let confirmed = false;
    const heard = new WeakSet<Listener>(); // listeners told this connection hears their topics
    socket.onopen = () => {
      this.attempt = 0;
      const topics = [...new Set([...this.listeners].flatMap((l) => l.topics))];
      this.send({ type: 'subscribe', topics });
      this.ping = setInterval(() => {
        this.send({ type: 'ping' });
        this.pongDue ??= setTimeout(() => socket.close(4000, 'no pong'), PONG_WAIT_MS);
      }, PING_MS);
    };
    socket.onmessage = (event) => {
      let message: RealtimeMessage;
      try {
        message = JSON.parse(String(event.data)) as RealtimeMessage;
      } catch {
        return;
      }
      if (message.type === 'pong') {
        if (this.pongDue) clearTimeout(this.pongDue);
        this.pongDue = null;
        return;
      }
      if (message.type === 'subscribed') {
        // Pushes reach this connection from now on: anything before may have been missed.
        const topics = new Set(Array.isArray(message.topics) ? message.topics.map(String) : []);
        confirmed = true;
        this.setStatus('live');
        for (const listener of this.listeners) {
          if (heard.has(listener) || !listener.topics.every((t) => topics.has(t))) continue;
          heard.add(listener);
          listener.onLive?.();
        }
        return;
      }
      if (message.type === 'error' && !confirmed) {
        // A topic this role may not hear: the server changed nothing and retrying would not help; the
        // connection is let go until the page asks again.
        this.clearKeepalive();
        this.socket = null;
        socket.close(1000);
        this.setStatus('unavailable');
        return;
      }
      this.listeners.forEach((l) => l.onMessage(message));
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.clearKeepalive();
      this.socket = null;
      if (!this.stopped) this.retry();
    };
  }

  private retry() {
    this.setStatus('offline');
    if (this.stopped) return;
    const wait = this.backoff(this.attempt);
    this.attempt += 1;
    this.timer = setTimeout(() => void this.connect(), wait);
  }
}

let shared: RealtimeConnection | null = null;
export function realtime(): RealtimeConnection {
  shared ??= new RealtimeConnection();
  return shared;
}

/** Listens on the shared connection while mounted; answers its status for a live/offline indicator. */
export function useRealtime(topics: string[], onMessage: (m: RealtimeMessage) => void, onLive?: () => void): RealtimeStatus {
  const connection = realtime();
  const status = useSyncExternalStore(
    (onChange) => connection.onStatus(onChange),
    () => connection.status,
  );
  const handlers = useRef({ onMessage, onLive });
  useEffect(() => {
    handlers.current = { onMessage, onLive };
  });
  const key = topics.join(',');
  useEffect(() => {
    const off = connection.subscribe({
      topics: key.split(','),
      onMessage: (m) => handlers.current.onMessage(m),
      onLive: () => handlers.current.onLive?.(),
    });
    return off;
  }, [connection, key]);
  return status;
}
