import { queryOptions, useQuery } from '@tanstack/react-query';

import { api, unwrap } from '@/lib/api-client';

export const getQuestionnaire = (questionnaireId: string) =>
  unwrap(api.GET('/api/v1/questionnaires/{questionnaire_id}', { params: { path: { questionnaire_id: questionnaireId } } }));

export const questionnaireQueryOptions = (questionnaireId: string) =>
  queryOptions({ queryKey: ['questionnaires', 'detail', questionnaireId], queryFn: () => getQuestionnaire(questionnaireId) });

export const useQuestionnaire = (questionnaireId: string) => useQuery(questionnaireQueryOptions(questionnaireId));
