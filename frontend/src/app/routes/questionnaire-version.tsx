import { useParams } from 'react-router';

import { VersionEditor } from '@/features/questionnaires/components/version-editor';
import { useUser } from '@/lib/auth';
import { can } from '@/lib/authorization';

import { RequirePermission } from './guard';

export default function QuestionnaireVersionRoute() {
  const { questionnaireId = '', version = '1' } = useParams();
  const user = useUser();
  return (
    <RequirePermission permission="questionnaires.read">
      <VersionEditor questionnaireId={questionnaireId} version={Number(version)} canWrite={can(user?.role, 'questionnaires.write')} />
    </RequirePermission>
  );
}
