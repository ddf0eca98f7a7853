import { useMutation } from '@tanstack/react-query';

import { api, unwrap } from '@/lib/api-client';
import type { MutationConfig } from '@/lib/react-query';

export type VerifyLoginInput = { mfaToken: string; code?: string; recoveryCode?: string };

/** Second step: a current TOTP code or one recovery code, with the MFA token (sent as the bearer). */
export const verifyLogin = ({ mfaToken, code, recoveryCode }: VerifyLoginInput) =>
  unwrap(
    api.POST('/api/v1/auth/2fa/verify-login', {
      // Exactly one of the two.
      body: recoveryCode !== undefined ? { mfa_token: mfaToken, recovery_code: recoveryCode } : { mfa_token: mfaToken, code: code ?? '' },
      headers: { authorization: `Bearer ${mfaToken}` },
    }),
  );

export const useVerifyLogin = (config?: MutationConfig<typeof verifyLogin>) =>
  useMutation({ mutationFn: verifyLogin, ...config });
