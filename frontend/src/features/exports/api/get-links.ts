import { queryOptions, useQuery } from '@tanstack/react-query';

import { request } from '@/lib/api-client';

import type { ShareLink } from './contract';

export const getLinks = (exportId: string) => request<{ items: ShareLink[] }>('GET', `/api/v1/exports/${exportId}/links`);

export const linksQueryOptions = (exportId: string) =>
  queryOptions({ queryKey: ['exports', 'links', exportId], queryFn: () => getLinks(exportId) });

export const useLinks = (exportId: string) => useQuery(linksQueryOptions(exportId));
