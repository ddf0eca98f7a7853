import { useMutation, useQueryClient } from '@tanstack/react-query';

import { api, unwrap } from '@/lib/api-client';
import type { MutationConfig } from '@/lib/react-query';

export type VersionRef = { questionnaireId: string; versionId: string };

export const publishVersion = ({ questionnaireId, versionId }: VersionRef) =>
  unwrap(
    api.POST('/api/v1/questionnaires/{questionnaire_id}/versions/{version_id}/publish', {
      params: { path: { questionnaire_id: questionnaireId, version_id: versionId } },
    }),
  );

export const usePublishVersion = (config?: MutationConfig<typeof publishVersion>) => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: publishVersion,
    ...config,
    onSuccess: (...args) => {
      void client.invalidateQueries({ queryKey: ['questionnaires'] });
      void client.invalidateQueries({ queryKey: ['questions'] });
      return config?.onSuccess?.(...args);
    },
  });
};
