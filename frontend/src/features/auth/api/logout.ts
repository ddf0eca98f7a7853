import { api } from '@/lib/api-client';
import { session } from '@/lib/session';

/**
 * Ends the session on the server (best effort: signing out must work offline too) and forgets it here,
 * with the cached API answers of this user.
 */
export const logout = async () => {
  const current = session.get();
  if (current) {
    await api
      .POST('/api/v1/auth/logout', { body: { refresh_token: current.refreshToken } })
      .catch(() => undefined);
  }
  session.clear();
  if (typeof caches !== 'undefined') await caches.delete('skills-api').catch(() => false);
};
