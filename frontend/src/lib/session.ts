import type { TokenPair, UserPublic } from '@/types/api';

/**
 * The signed-in session, kept in localStorage so that every tab shares it and an enumerator stays signed in
 * across restarts in the field (the queued assessments are sent with it when the connection returns).
 * Access tokens live 15 minutes; the refresh token rotates on every use (see api-client.ts).
 */
export type Session = {
  accessToken: string;
  accessExpiresAt: number;
  refreshToken: string;
  user: UserPublic | null;
};

const KEY = 'skills.session';
type Listener = () => void;
const listeners = new Set<Listener>();
let cached: Session | null | undefined;

function read(): Session | null {
  try {
    const raw = localStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

function write(next: Session | null): void {
  cached = next;
  if (next) localStorage.setItem(KEY, JSON.stringify(next));
  else localStorage.removeItem(KEY);
  listeners.forEach((l) => l());
}

if (typeof window !== 'undefined') {
  // Another tab signed in, refreshed or signed out.
  window.addEventListener('storage', (event) => {
    if (event.key === KEY || event.key === null) {
      cached = read();
      listeners.forEach((l) => l());
    }
  });
}

export const session = {
  get(): Session | null {
    if (cached === undefined) cached = read();
    return cached;
  },
  /** Re-reads storage (another tab may have rotated the tokens). */
  reload(): Session | null {
    cached = read();
    return cached;
  },
  start(pair: TokenPair, user: UserPublic | null = null): void {
    write({
      accessToken: pair.access_token,
      accessExpiresAt: Date.now() + pair.expires_in * 1000,
      refreshToken: pair.refresh_token,
      user,
    });
  },
  rotate(pair: TokenPair): void {
    const current = session.get();
    session.start(pair, current?.user ?? null);
  },
  setUser(user: UserPublic): void {
    const current = session.get();
    if (current) write({ ...current, user });
  },
  clear(): void {
    write(null);
  },
  subscribe(listener: Listener): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};
