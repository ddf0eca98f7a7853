import { queryOptions, useQuery } from '@tanstack/react-query';

import { api, unwrap } from '@/lib/api-client';

export const getQuestionnaires = () => unwrap(api.GET('/api/v1/questionnaires'));

export const questionnairesQueryOptions = () =>
  queryOptions({ queryKey: ['questionnaires', 'list'], queryFn: getQuestionnaires });

export const useQuestionnaires = () => useQuery(questionnairesQueryOptions());
