import { request } from '@/lib/api-client';
import { useInvalidatingMutation, type MutationConfig } from '@/lib/react-query';

import type { ShareLink } from './contract';

export type CreateLinkInput = { exportId: string; expiresIn: number; maxDownloads: number | null };

/** A public link for people without an account; its URL (with the token) is answered this once. */
export const createLink = ({ exportId, expiresIn, maxDownloads }: CreateLinkInput) =>
  request<ShareLink>('POST', `/api/v1/exports/${exportId}/links`, { body: { expires_in: expiresIn, max_downloads: maxDownloads } });

export const useCreateLink = (config?: MutationConfig<typeof createLink>) =>
  useInvalidatingMutation(createLink, (input) => [['exports', 'links', input.exportId]], config);
