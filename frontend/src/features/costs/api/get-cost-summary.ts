import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';

import { request } from '@/lib/api-client';

import type { CostSummary, GroupBy } from './contract';

export type CostFilters = { from?: string; to?: string; group_by: GroupBy };

export const getCostSummary = (query: CostFilters) => request<CostSummary>('GET', '/api/v1/costs/summary', { query });

export const costSummaryQueryOptions = (query: CostFilters) =>
  queryOptions({ queryKey: ['costs', 'summary', query], queryFn: () => getCostSummary(query), placeholderData: keepPreviousData });

export const useCostSummary = (query: CostFilters) => useQuery(costSummaryQueryOptions(query));
