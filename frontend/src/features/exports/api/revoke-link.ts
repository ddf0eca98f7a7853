import { request } from '@/lib/api-client';
import { useInvalidatingMutation, type MutationConfig } from '@/lib/react-query';

export type RevokeLinkInput = { exportId: string; linkId: string };

export const revokeLink = ({ exportId, linkId }: RevokeLinkInput) =>
  request<void>('DELETE', `/api/v1/exports/${exportId}/links/${linkId}`);

export const useRevokeLink = (config?: MutationConfig<typeof revokeLink>) =>
  useInvalidatingMutation(revokeLink, (input) => [['exports', 'links', input.exportId]], config);
