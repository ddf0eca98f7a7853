import { useMutation, useQueryClient } from '@tanstack/react-query';

import { api, unwrap } from '@/lib/api-client';
import type { MutationConfig } from '@/lib/react-query';
import type { components } from '@/types/api';

export type DisableTwoFactorInput = components['schemas']['DisableTwoFactorRequest'];

export const disableTwoFactor = (body: DisableTwoFactorInput) =>
  unwrap(api.POST('/api/v1/auth/2fa/disable', { body }));

export const useDisableTwoFactor = (config?: MutationConfig<typeof disableTwoFactor>) => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: disableTwoFactor,
    ...config,
    onSuccess: (...args) => {
      void client.invalidateQueries({ queryKey: ['me'] });
      return config?.onSuccess?.(...args);
    },
  });
};
