import { api, unwrap } from '@/lib/api-client';
import { useInvalidatingMutation, type MutationConfig } from '@/lib/react-query';
import type { components } from '@/types/api';

export type CreateQuestionInput = components['schemas']['QuestionCreate'];

export const createQuestion = (body: CreateQuestionInput) => unwrap(api.POST('/api/v1/questions', { body }));

export const useCreateQuestion = (config?: MutationConfig<typeof createQuestion>) =>
  useInvalidatingMutation(createQuestion, [['questionnaires']], config);
