import { queryOptions, useQuery } from '@tanstack/react-query';

import { request } from '@/lib/api-client';

import type { PerAssessment } from './contract';

export const getCostPerAssessment = (query: { from?: string; to?: string }) =>
  request<PerAssessment>('GET', '/api/v1/costs/per-assessment', { query });

export const costPerAssessmentQueryOptions = (query: { from?: string; to?: string }) =>
  queryOptions({ queryKey: ['costs', 'per-assessment', query], queryFn: () => getCostPerAssessment(query) });

export const useCostPerAssessment = (query: { from?: string; to?: string }) => useQuery(costPerAssessmentQueryOptions(query));
