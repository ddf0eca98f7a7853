import { queryOptions, useQuery } from '@tanstack/react-query';

import { request } from '@/lib/api-client';

import type { DashboardSummary } from './contract';

export const getDashboardSummary = () => request<DashboardSummary>('GET', '/api/v1/dashboard/summary');

export const dashboardSummaryQueryOptions = () =>
  queryOptions({ queryKey: ['dashboard', 'summary'], queryFn: getDashboardSummary, staleTime: 0 });

export const useDashboardSummary = () => useQuery(dashboardSummaryQueryOptions());
