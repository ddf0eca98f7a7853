import { queryOptions, useQuery } from '@tanstack/react-query';

import { api, unwrap } from '@/lib/api-client';

export const getRespondent = (respondentId: string) =>
  unwrap(api.GET('/api/v1/respondents/{respondent_id}', { params: { path: { respondent_id: respondentId } } }));

export const respondentQueryOptions = (respondentId: string) =>
  queryOptions({ queryKey: ['respondents', 'detail', respondentId], queryFn: () => getRespondent(respondentId) });

export const useRespondent = (respondentId: string) => useQuery(respondentQueryOptions(respondentId));
