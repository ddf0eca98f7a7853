import { useSyncExternalStore } from 'react';

import { session, type Session } from '@/lib/session';
import type { UserPublic } from '@/types/api';

export function useSession(): Session | null {
  return useSyncExternalStore(session.subscribe, session.get, session.get);
}

/** The signed-in user, or null. */
export function useUser(): UserPublic | null {
  return useSession()?.user ?? null;
}

/** The landing page of each role: where its working day starts. */
export function homeFor(user: UserPublic | null): string {
  switch (user?.role) {
    case 'enumerator':
      return '/fieldwork';
    case 'finance':
      return '/costs';
    default:
      return '/dashboard';
  }
}
