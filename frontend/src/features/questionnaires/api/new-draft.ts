import { api, unwrap } from '@/lib/api-client';
import { useInvalidatingMutation, type MutationConfig } from '@/lib/react-query';

import type { VersionRef } from './publish-version';

/** A new draft version copied from a published one, to edit and publish later. */
export const newDraft = ({ questionnaireId, versionId }: VersionRef) =>
  unwrap(
    api.POST('/api/v1/questionnaires/{questionnaire_id}/versions/{version_id}/draft', {
      params: { path: { questionnaire_id: questionnaireId, version_id: versionId } },
    }),
  );

export const useNewDraft = (config?: MutationConfig<typeof newDraft>) =>
  useInvalidatingMutation(newDraft, [['questionnaires']], config);
