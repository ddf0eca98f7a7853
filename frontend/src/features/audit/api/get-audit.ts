import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';

import { api, unwrap } from '@/lib/api-client';
import type { QueryOf } from '@/types/api';

export type AuditFilters = QueryOf<'list_audit_api_v1_audit_get'>;

export const getAudit = (query: AuditFilters) => unwrap(api.GET('/api/v1/audit', { params: { query } }));

export const auditQueryOptions = (query: AuditFilters) =>
  queryOptions({ queryKey: ['audit', query], queryFn: () => getAudit(query), placeholderData: keepPreviousData });

export const useAudit = (query: AuditFilters) => useQuery(auditQueryOptions(query));
