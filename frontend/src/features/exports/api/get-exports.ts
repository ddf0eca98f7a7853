import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';

import { api, unwrap } from '@/lib/api-client';
import type { components } from '@/types/api';

export type ExportPublic = components['schemas']['ExportPublic'];
export type ExportKind = ExportPublic['kind'];
export type ExportStatus = ExportPublic['status'];

/** The caller's exports (a super-admin's: everyone's), newest first, a page at a time. */
export const getExports = (cursor?: string) =>
  unwrap(api.GET('/api/v1/exports', { params: { query: { cursor, limit: 20 } } }));

const underWay = (items: ExportPublic[] | undefined) => items?.some((j) => j.status === 'pending' || j.status === 'running') ?? false;

/** `pollMs`: refetch at that pace while an export of the page is pending or running (false: never). */
export const exportsQueryOptions = (cursor?: string, pollMs: number | false = false) =>
  queryOptions({
    queryKey: ['exports', 'list', cursor ?? null],
    queryFn: () => getExports(cursor),
    placeholderData: keepPreviousData,
    staleTime: 0,
    refetchInterval: (query) => (pollMs && underWay(query.state.data?.items) ? pollMs : false),
  });

export const useExports = (cursor?: string, pollMs: number | false = false) => useQuery(exportsQueryOptions(cursor, pollMs));
