import { useMutation, useQueryClient } from '@tanstack/react-query';

import { request } from '@/lib/api-client';
import type { MutationConfig } from '@/lib/react-query';

export type RevokeLinkInput = { exportId: string; linkId: string };

export const revokeLink = ({ exportId, linkId }: RevokeLinkInput) =>
  request<void>('DELETE', `/api/v1/exports/${exportId}/links/${linkId}`);

export const useRevokeLink = (config?: MutationConfig<typeof revokeLink>) => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: revokeLink,
    ...config,
    onSuccess: (...args) => {
      void client.invalidateQueries({ queryKey: ['exports', 'links', args[1].exportId] });
      return config?.onSuccess?.(...args);
    },
  });
};
