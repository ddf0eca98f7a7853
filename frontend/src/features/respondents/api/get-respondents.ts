import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';

import { api, unwrap } from '@/lib/api-client';
import type { QueryOf } from '@/types/api';

export type RespondentFilters = QueryOf<'list_respondents_api_v1_respondents_get'>;

export const getRespondents = (query: RespondentFilters) =>
  unwrap(api.GET('/api/v1/respondents', { params: { query } }));

export const respondentsQueryOptions = (query: RespondentFilters) =>
  queryOptions({ queryKey: ['respondents', 'list', query], queryFn: () => getRespondents(query), placeholderData: keepPreviousData });

export const useRespondents = (query: RespondentFilters) => useQuery(respondentsQueryOptions(query));
