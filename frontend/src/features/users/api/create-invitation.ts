import { useMutation } from '@tanstack/react-query';

import { api, unwrap } from '@/lib/api-client';
import type { MutationConfig } from '@/lib/react-query';
import type { components } from '@/types/api';

export type InvitationInput = components['schemas']['InvitationCreate'];

/** An invitation for one email and role; its token is answered this once. */
export const createInvitation = (body: InvitationInput) => unwrap(api.POST('/api/v1/users/invitations', { body }));

export const useCreateInvitation = (config?: MutationConfig<typeof createInvitation>) =>
  useMutation({ mutationFn: createInvitation, ...config });
