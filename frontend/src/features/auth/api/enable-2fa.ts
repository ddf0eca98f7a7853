import { useMutation, useQueryClient } from '@tanstack/react-query';

import { api, unwrap } from '@/lib/api-client';
import type { MutationConfig } from '@/lib/react-query';

/** Turns 2FA on with a current code; answers the ten recovery codes, shown this once. */
export const enableTwoFactor = (code: string) =>
  unwrap(api.POST('/api/v1/auth/2fa/enable', { body: { code } }));

export const useEnableTwoFactor = (config?: MutationConfig<typeof enableTwoFactor>) => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: enableTwoFactor,
    ...config,
    onSuccess: (...args) => {
      void client.invalidateQueries({ queryKey: ['me'] });
      return config?.onSuccess?.(...args);
    },
  });
};
