import { api, unwrap } from '@/lib/api-client';
import { useInvalidatingMutation, type MutationConfig } from '@/lib/react-query';
import type { components } from '@/types/api';

export type DisableTwoFactorInput = components['schemas']['DisableTwoFactorRequest'];

export const disableTwoFactor = (body: DisableTwoFactorInput) =>
  unwrap(api.POST('/api/v1/auth/2fa/disable', { body }));

export const useDisableTwoFactor = (config?: MutationConfig<typeof disableTwoFactor>) =>
  useInvalidatingMutation(disableTwoFactor, [['me']], config);
