import { queryOptions, useQuery } from '@tanstack/react-query';

import { api, unwrap } from '@/lib/api-client';
import type { QueryOf } from '@/types/api';

export type ReportFilters = QueryOf<'sector_reports_api_v1_reports_sectors_get'>;

export const getSectorReports = (query: ReportFilters) => unwrap(api.GET('/api/v1/reports/sectors', { params: { query } }));

export const sectorReportsQueryOptions = (query: ReportFilters) =>
  queryOptions({ queryKey: ['reports', 'sectors', query], queryFn: () => getSectorReports(query) });

export const useSectorReports = (query: ReportFilters) => useQuery(sectorReportsQueryOptions(query));
