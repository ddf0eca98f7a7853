import { queryOptions, useQuery } from '@tanstack/react-query';

import { api, unwrap } from '@/lib/api-client';
import type { Lang } from '@/types/api';

/** The questions of one version, draft or published, with labels in one language. */
export const getVersionQuestions = (questionnaireId: string, version: number, lang: Lang) =>
  unwrap(api.GET('/api/v1/questions', { params: { query: { questionnaire_id: questionnaireId, version, lang } } }));

export const versionQuestionsQueryOptions = (questionnaireId: string, version: number, lang: Lang) =>
  queryOptions({
    queryKey: ['questionnaires', 'questions', questionnaireId, version, lang],
    queryFn: () => getVersionQuestions(questionnaireId, version, lang),
  });

export const useVersionQuestions = (questionnaireId: string, version: number, lang: Lang = 'en') =>
  useQuery(versionQuestionsQueryOptions(questionnaireId, version, lang));
