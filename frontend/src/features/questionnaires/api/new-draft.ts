import { useMutation, useQueryClient } from '@tanstack/react-query';

import { api, unwrap } from '@/lib/api-client';
import type { MutationConfig } from '@/lib/react-query';

import type { VersionRef } from './publish-version';

/** A new draft version copied from a published one, to edit and publish later. */
export const newDraft = ({ questionnaireId, versionId }: VersionRef) =>
  unwrap(
    api.POST('/api/v1/questionnaires/{questionnaire_id}/versions/{version_id}/draft', {
      params: { path: { questionnaire_id: questionnaireId, version_id: versionId } },
    }),
  );

export const useNewDraft = (config?: MutationConfig<typeof newDraft>) => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: newDraft,
    ...config,
    onSuccess: (...args) => {
      void client.invalidateQueries({ queryKey: ['questionnaires'] });
      return config?.onSuccess?.(...args);
    },
  });
};
