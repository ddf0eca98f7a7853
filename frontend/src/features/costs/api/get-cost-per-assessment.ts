import { queryOptions, useQuery } from '@tanstack/react-query';

import { api, unwrap } from '@/lib/api-client';
import type { QueryOf } from '@/types/api';

export type PeriodFilters = QueryOf<'cost_per_assessment_api_v1_costs_per_assessment_get'>;

/** Cost per completed assessment by channel and sector, every request of its session included. */
export const getCostPerAssessment = (query: PeriodFilters) =>
  unwrap(api.GET('/api/v1/costs/per-assessment', { params: { query } }));

export const costPerAssessmentQueryOptions = (query: PeriodFilters) =>
  queryOptions({ queryKey: ['costs', 'per-assessment', query], queryFn: () => getCostPerAssessment(query) });

export const useCostPerAssessment = (query: PeriodFilters) => useQuery(costPerAssessmentQueryOptions(query));
