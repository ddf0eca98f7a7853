import { queryOptions, useQuery } from '@tanstack/react-query';

import { api, unwrap } from '@/lib/api-client';
import type { Lang } from '@/types/api';

/**
 * The active published questionnaire's questions. The service worker answers this URL from its cache when
 * the network is gone, so the form opens offline with what was last seen online.
 */
export const getPublishedQuestionnaire = (lang: Lang = 'en') =>
  unwrap(api.GET('/api/v1/questions', { params: { query: { lang } } }));

export const publishedQuestionnaireQueryOptions = (lang: Lang = 'en') =>
  queryOptions({
    queryKey: ['questions', 'published', lang],
    queryFn: () => getPublishedQuestionnaire(lang),
    staleTime: 5 * 60_000,
    networkMode: 'always',
  });

export const usePublishedQuestionnaire = (lang: Lang = 'en') => useQuery(publishedQuestionnaireQueryOptions(lang));
