import { useNavigate } from 'react-router';

import { PageHeader } from '@/components/ui/page';
import { ImportForm } from '@/features/questionnaires/components/import-form';
import { QuestionnairesList } from '@/features/questionnaires/components/questionnaires-list';
import { useUser } from '@/lib/auth';
import { can } from '@/lib/authorization';

import { RequirePermission } from './guard';

export default function QuestionnairesRoute() {
  const user = useUser();
  const navigate = useNavigate();
  return (
    <RequirePermission permission="questionnaires.read">
      <PageHeader title="Questionnaires" description="What respondents are asked, version by version." />
      <div className="space-y-6">
        {can(user?.role, 'questionnaires.write') && (
          <ImportForm onImported={(r) => navigate(`/questionnaires/${r.questionnaire_id}/versions/${r.version}`)} />
        )}
        <QuestionnairesList />
      </div>
    </RequirePermission>
  );
}
