import { useMutation } from '@tanstack/react-query';

import { api, unwrap } from '@/lib/api-client';
import type { MutationConfig } from '@/lib/react-query';
import type { components } from '@/types/api';

export type SignupInput = components['schemas']['SignupCreate'];

/** The first account becomes the super-admin; later ones need an invitation token. */
export const signup = (body: SignupInput) => unwrap(api.POST('/api/v1/auth/signup', { body }));

export const useSignup = (config?: MutationConfig<typeof signup>) => useMutation({ mutationFn: signup, ...config });
