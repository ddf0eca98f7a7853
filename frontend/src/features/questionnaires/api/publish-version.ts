import { api, unwrap } from '@/lib/api-client';
import { useInvalidatingMutation, type MutationConfig } from '@/lib/react-query';

export type VersionRef = { questionnaireId: string; versionId: string };

export const publishVersion = ({ questionnaireId, versionId }: VersionRef) =>
  unwrap(
    api.POST('/api/v1/questionnaires/{questionnaire_id}/versions/{version_id}/publish', {
      params: { path: { questionnaire_id: questionnaireId, version_id: versionId } },
    }),
  );

export const usePublishVersion = (config?: MutationConfig<typeof publishVersion>) =>
  useInvalidatingMutation(publishVersion, [['questionnaires'], ['questions']], config);
