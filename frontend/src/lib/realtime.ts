import { useEffect, useRef, useSyncExternalStore } from 'react';

import { getConfig } from '@/config/env';
import { request } from '@/lib/api-client';

/**
 * The one WebSocket to the platform (the dashboard and export progress share it). Connecting takes a
 * single-use ticket from POST /api/v1/ws/ticket, never a JWT in the URL. It subscribes to the topics its
 * listeners want, pings every 25 s, and reconnects with exponential backoff and jitter (1 s up to 30 s);
 * after a reconnect listeners hear `reconnected` so they refetch what they may have missed.
 */
export type RealtimeStatus = 'connecting' | 'live' | 'offline' | 'unavailable';
export type RealtimeMessage = { type: string; [key: string]: unknown };
type Listener = { topics: string[]; onMessage: (message: RealtimeMessage) => void; onReconnect?: () => void };

const PING_MS = 25_000;
const MAX_BACKOFF_MS = 30_000;

type Ticket = { ticket: string; expires_at: string };

export class RealtimeConnection {
  status: RealtimeStatus = 'offline';
  private socket: WebSocket | null = null;
  private listeners = new Set<Listener>();
  private statusListeners = new Set<(s: RealtimeStatus) => void>();
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private ping: ReturnType<typeof setInterval> | null = null;
  private everConnected = false;
  private stopped = true;

  constructor(
    private readonly getTicket: () => Promise<Ticket> = () => request<Ticket>('POST', '/api/v1/ws/ticket'),
    private readonly url: () => string | null | undefined = () => getConfig().wsUrl,
    private readonly random: () => number = Math.random,
  ) {}

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    if (this.stopped) this.start();
    else if (this.status === 'live') this.send({ type: 'subscribe', topics: listener.topics });
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

  private stop() {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.ping) clearInterval(this.ping);
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
    socket.onopen = () => {
      const reconnected = this.everConnected;
      this.everConnected = true;
      this.attempt = 0;
      this.setStatus('live');
      const topics = [...new Set([...this.listeners].flatMap((l) => l.topics))];
      this.send({ type: 'subscribe', topics });
      this.ping = setInterval(() => this.send({ type: 'ping' }), PING_MS);
      if (reconnected) this.listeners.forEach((l) => l.onReconnect?.());
    };
    socket.onmessage = (event) => {
      let message: RealtimeMessage;
      try {
        message = JSON.parse(String(event.data)) as RealtimeMessage;
      } catch {
        return;
      }
      if (message.type === 'pong') return;
      this.listeners.forEach((l) => l.onMessage(message));
    };
    socket.onclose = () => {
      if (this.ping) clearInterval(this.ping);
      if (this.socket === socket) this.socket = null;
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
export function useRealtime(topics: string[], onMessage: (m: RealtimeMessage) => void, onReconnect?: () => void): RealtimeStatus {
  const connection = realtime();
  const status = useSyncExternalStore(
    (onChange) => connection.onStatus(onChange),
    () => connection.status,
  );
  const handlers = useRef({ onMessage, onReconnect });
  useEffect(() => {
    handlers.current = { onMessage, onReconnect };
  });
  const key = topics.join(',');
  useEffect(() => {
    const off = connection.subscribe({
      topics: key.split(','),
      onMessage: (m) => handlers.current.onMessage(m),
      onReconnect: () => handlers.current.onReconnect?.(),
    });
    return off;
  }, [connection, key]);
  return status;
}
