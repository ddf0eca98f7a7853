import { useMutation } from '@tanstack/react-query';

import { api, unwrap } from '@/lib/api-client';
import type { MutationConfig } from '@/lib/react-query';

/** A new TOTP secret with its otpauth URI and QR code; 2FA is on only after enable-2fa. */
export const setupTwoFactor = (_: void) => unwrap(api.POST('/api/v1/auth/2fa/setup'));

export const useSetupTwoFactor = (config?: MutationConfig<typeof setupTwoFactor>) =>
  useMutation({ mutationFn: setupTwoFactor, ...config });
