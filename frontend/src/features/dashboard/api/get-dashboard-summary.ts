import { queryOptions, useQuery } from '@tanstack/react-query';

import { api, unwrap } from '@/lib/api-client';
import type { DashboardSummary } from '@/types/api';

export const dashboardSummaryKey = ['dashboard', 'summary'] as const;

/** The dashboard in one read: exact to the last committed submission (an enumerator's: what they entered). */
export const getDashboardSummary = () => unwrap(api.GET('/api/v1/dashboard/summary'));

export const dashboardSummaryQueryOptions = () =>
  queryOptions({ queryKey: dashboardSummaryKey, queryFn: getDashboardSummary, staleTime: 0 });

export const useDashboardSummary = () => useQuery(dashboardSummaryQueryOptions());

export type { DashboardSummary };
