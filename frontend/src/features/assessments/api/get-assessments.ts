import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';

import { api, unwrap } from '@/lib/api-client';
import type { QueryOf } from '@/types/api';

export type AssessmentFilters = QueryOf<'list_assessments_api_v1_assessments_get'>;

export const getAssessments = (query: AssessmentFilters) =>
  unwrap(api.GET('/api/v1/assessments', { params: { query } }));

export const assessmentsQueryOptions = (query: AssessmentFilters) =>
  queryOptions({ queryKey: ['assessments', 'list', query], queryFn: () => getAssessments(query), placeholderData: keepPreviousData });

export const useAssessments = (query: AssessmentFilters) => useQuery(assessmentsQueryOptions(query));
