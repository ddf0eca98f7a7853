import { api, unwrap } from '@/lib/api-client';
import { useInvalidatingMutation, type MutationConfig } from '@/lib/react-query';

/** Turns 2FA on with a current code; answers the ten recovery codes, shown this once. */
export const enableTwoFactor = (code: string) =>
  unwrap(api.POST('/api/v1/auth/2fa/enable', { body: { code } }));

export const useEnableTwoFactor = (config?: MutationConfig<typeof enableTwoFactor>) =>
  useInvalidatingMutation(enableTwoFactor, [['me']], config);
