import { queryOptions, useQuery } from '@tanstack/react-query';

import { api, unwrap } from '@/lib/api-client';
import type { components } from '@/types/api';

export type LinkPublic = components['schemas']['LinkPublic'];

/** An export's share links, with their status and download counts (never their tokens). */
export const getLinks = (exportId: string) =>
  unwrap(api.GET('/api/v1/exports/{export_id}/links', { params: { path: { export_id: exportId } } }));

export const linksQueryOptions = (exportId: string) =>
  queryOptions({ queryKey: ['exports', 'links', exportId], queryFn: () => getLinks(exportId), staleTime: 0 });

export const useLinks = (exportId: string) => useQuery(linksQueryOptions(exportId));
