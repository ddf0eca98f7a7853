import { useParams } from 'react-router';

import { VersionsPanel } from '@/features/questionnaires/components/versions-panel';
import { useUser } from '@/lib/auth';
import { can } from '@/lib/authorization';

import { RequirePermission } from './guard';

export default function QuestionnaireRoute() {
  const { questionnaireId = '' } = useParams();
  const user = useUser();
  return (
    <RequirePermission permission="questionnaires.read">
      <VersionsPanel questionnaireId={questionnaireId} canWrite={can(user?.role, 'questionnaires.write')} />
    </RequirePermission>
  );
}
