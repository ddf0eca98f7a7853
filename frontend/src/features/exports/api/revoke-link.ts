import { api, unwrap } from '@/lib/api-client';
import { useInvalidatingMutation, type MutationConfig } from '@/lib/react-query';

export type RevokeLinkInput = { exportId: string; linkId: string };

/** Revokes a link at once: following it answers 410 from then on. */
export const revokeLink = ({ exportId, linkId }: RevokeLinkInput) =>
  unwrap(api.DELETE('/api/v1/exports/{export_id}/links/{link_id}', { params: { path: { export_id: exportId, link_id: linkId } } }));

export const useRevokeLink = (config?: MutationConfig<typeof revokeLink>) =>
  useInvalidatingMutation(revokeLink, (input) => [['exports', 'links', input.exportId]], config);
