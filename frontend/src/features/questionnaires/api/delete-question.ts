import { useMutation, useQueryClient } from '@tanstack/react-query';

import { api, unwrap } from '@/lib/api-client';
import type { MutationConfig } from '@/lib/react-query';

export const deleteQuestion = (questionId: string) =>
  unwrap(api.DELETE('/api/v1/questions/{question_id}', { params: { path: { question_id: questionId } } }));

export const useDeleteQuestion = (config?: MutationConfig<typeof deleteQuestion>) => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: deleteQuestion,
    ...config,
    onSuccess: (...args) => {
      void client.invalidateQueries({ queryKey: ['questionnaires'] });
      return config?.onSuccess?.(...args);
    },
  });
};
