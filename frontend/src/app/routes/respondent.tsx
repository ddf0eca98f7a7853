import { useParams } from 'react-router';

import { AssessmentsList } from '@/features/assessments/components/assessments-list';
import { RespondentView } from '@/features/respondents/components/respondent-view';

import { RequirePermission } from './guard';

export default function RespondentRoute() {
  const { respondentId = '' } = useParams();
  return (
    <RequirePermission permission="respondents.read">
      <RespondentView respondentId={respondentId} />
      <h2 className="mb-3 text-base font-semibold text-slate-900">Assessments</h2>
      <AssessmentsList respondentId={respondentId} compact />
    </RequirePermission>
  );
}
