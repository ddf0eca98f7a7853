import { queryOptions, useQuery } from '@tanstack/react-query';

import { api, unwrap } from '@/lib/api-client';

import type { ReportFilters } from './get-sector-reports';

export const getSkillReports = (query: ReportFilters) => unwrap(api.GET('/api/v1/reports/skills', { params: { query } }));

export const skillReportsQueryOptions = (query: ReportFilters) =>
  queryOptions({ queryKey: ['reports', 'skills', query], queryFn: () => getSkillReports(query) });

export const useSkillReports = (query: ReportFilters) => useQuery(skillReportsQueryOptions(query));
