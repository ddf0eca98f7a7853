import { api, unwrap } from '@/lib/api-client';
import { useInvalidatingMutation, type MutationConfig } from '@/lib/react-query';

export const deleteQuestion = (questionId: string) =>
  unwrap(api.DELETE('/api/v1/questions/{question_id}', { params: { path: { question_id: questionId } } }));

export const useDeleteQuestion = (config?: MutationConfig<typeof deleteQuestion>) =>
  useInvalidatingMutation(deleteQuestion, [['questionnaires']], config);
