import { useMutation, useQueryClient } from '@tanstack/react-query';

import { api, unwrap } from '@/lib/api-client';
import type { MutationConfig } from '@/lib/react-query';
import type { components } from '@/types/api';

export type CreateQuestionInput = components['schemas']['QuestionCreate'];

export const createQuestion = (body: CreateQuestionInput) => unwrap(api.POST('/api/v1/questions', { body }));

export const useCreateQuestion = (config?: MutationConfig<typeof createQuestion>) => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: createQuestion,
    ...config,
    onSuccess: (...args) => {
      void client.invalidateQueries({ queryKey: ['questionnaires'] });
      return config?.onSuccess?.(...args);
    },
  });
};
