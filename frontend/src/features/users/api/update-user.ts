import { api, unwrap } from '@/lib/api-client';
import { useInvalidatingMutation, type MutationConfig } from '@/lib/react-query';
import type { components } from '@/types/api';

export type UpdateUserInput = { userId: string; changes: components['schemas']['UserUpdate'] };

/** Changes a user's role or turns the account off (at least one active super-admin always remains). */
export const updateUser = ({ userId, changes }: UpdateUserInput) =>
  unwrap(api.PATCH('/api/v1/users/{user_id}', { params: { path: { user_id: userId } }, body: changes }));

export const useUpdateUser = (config?: MutationConfig<typeof updateUser>) =>
  useInvalidatingMutation(updateUser, [['users']], config);
