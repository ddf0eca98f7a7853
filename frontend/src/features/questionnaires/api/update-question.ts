import { api, unwrap } from '@/lib/api-client';
import { useInvalidatingMutation, type MutationConfig } from '@/lib/react-query';
import type { QuestionDef } from '@/types/api';

export type UpdateQuestionInput = { questionId: string; question: QuestionDef };

export const updateQuestion = ({ questionId, question }: UpdateQuestionInput) =>
  unwrap(api.PATCH('/api/v1/questions/{question_id}', { params: { path: { question_id: questionId } }, body: question }));

export const useUpdateQuestion = (config?: MutationConfig<typeof updateQuestion>) =>
  useInvalidatingMutation(updateQuestion, [['questionnaires']], config);
