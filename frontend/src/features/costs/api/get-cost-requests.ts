import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';

import { api, unwrap } from '@/lib/api-client';
import type { QueryOf } from '@/types/api';

export type CostRequestFilters = QueryOf<'list_cost_requests_api_v1_costs_requests_get'>;

/** The ledger's rows, newest first, one per invocation. */
export const getCostRequests = (query: CostRequestFilters) =>
  unwrap(api.GET('/api/v1/costs/requests', { params: { query } }));

export const costRequestsQueryOptions = (query: CostRequestFilters) =>
  queryOptions({ queryKey: ['costs', 'requests', query], queryFn: () => getCostRequests(query), placeholderData: keepPreviousData });

export const useCostRequests = (query: CostRequestFilters) => useQuery(costRequestsQueryOptions(query));
