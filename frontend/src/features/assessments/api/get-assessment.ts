import { queryOptions, useQuery } from '@tanstack/react-query';

import { api, unwrap } from '@/lib/api-client';
import type { Lang } from '@/types/api';

export const getAssessment = (assessmentId: string, lang: Lang = 'en') =>
  unwrap(api.GET('/api/v1/assessments/{assessment_id}', { params: { path: { assessment_id: assessmentId }, query: { lang } } }));

export const assessmentQueryOptions = (assessmentId: string, lang: Lang = 'en') =>
  queryOptions({ queryKey: ['assessments', 'detail', assessmentId, lang], queryFn: () => getAssessment(assessmentId, lang) });

export const useAssessment = (assessmentId: string, lang: Lang = 'en') => useQuery(assessmentQueryOptions(assessmentId, lang));
