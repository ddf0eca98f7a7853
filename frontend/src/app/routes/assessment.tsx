import { useParams } from 'react-router';

import { AssessmentView } from '@/features/assessments/components/assessment-view';

import { RequirePermission } from './guard';

export default function AssessmentRoute() {
  const { assessmentId = '' } = useParams();
  return (
    <RequirePermission permission="assessments.read">
      <AssessmentView assessmentId={assessmentId} />
    </RequirePermission>
  );
}
