import { useMutation } from '@tanstack/react-query';

import { api, unwrap } from '@/lib/api-client';
import type { MutationConfig } from '@/lib/react-query';
import type { components } from '@/types/api';

export type LoginInput = components['schemas']['LoginRequest'];

/** Password step: a token pair, or an MFA token for the second step when 2FA is on. */
export const login = (body: LoginInput) => unwrap(api.POST('/api/v1/auth/login', { body }));

export const useLogin = (config?: MutationConfig<typeof login>) => useMutation({ mutationFn: login, ...config });
