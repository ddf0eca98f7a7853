import { useMutation, useQueryClient } from '@tanstack/react-query';

import { api, unwrap } from '@/lib/api-client';
import type { MutationConfig } from '@/lib/react-query';
import type { QuestionDef } from '@/types/api';

export type UpdateQuestionInput = { questionId: string; question: QuestionDef };

export const updateQuestion = ({ questionId, question }: UpdateQuestionInput) =>
  unwrap(api.PATCH('/api/v1/questions/{question_id}', { params: { path: { question_id: questionId } }, body: question }));

export const useUpdateQuestion = (config?: MutationConfig<typeof updateQuestion>) => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: updateQuestion,
    ...config,
    onSuccess: (...args) => {
      void client.invalidateQueries({ queryKey: ['questionnaires'] });
      return config?.onSuccess?.(...args);
    },
  });
};
