import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';

import { api, unwrap } from '@/lib/api-client';
import type { QueryOf } from '@/types/api';

export type CostFilters = QueryOf<'cost_summary_api_v1_costs_summary_get'>;
export type GroupBy = NonNullable<CostFilters['group_by']>;

/** Totals and groups of the cost ledger for a period; amounts are exact decimal strings. */
export const getCostSummary = (query: CostFilters) => unwrap(api.GET('/api/v1/costs/summary', { params: { query } }));

export const costSummaryQueryOptions = (query: CostFilters) =>
  queryOptions({ queryKey: ['costs', 'summary', query], queryFn: () => getCostSummary(query), placeholderData: keepPreviousData });

export const useCostSummary = (query: CostFilters) => useQuery(costSummaryQueryOptions(query));
