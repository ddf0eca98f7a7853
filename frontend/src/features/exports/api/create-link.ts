import { api, unwrap } from '@/lib/api-client';
import { useInvalidatingMutation, type MutationConfig } from '@/lib/react-query';

export type CreateLinkInput = { exportId: string; expiresIn: number; maxDownloads: number | null };

/** A public link for people without an account; its URL (with the token) is answered this once. */
export const createLink = ({ exportId, expiresIn, maxDownloads }: CreateLinkInput) =>
  unwrap(api.POST('/api/v1/exports/{export_id}/links', {
    params: { path: { export_id: exportId } },
    body: { expires_in: expiresIn, max_downloads: maxDownloads },
  }));

export const useCreateLink = (config?: MutationConfig<typeof createLink>) =>
  useInvalidatingMutation(createLink, (input) => [['exports', 'links', input.exportId]], config);
