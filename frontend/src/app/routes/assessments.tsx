import { PageHeader } from '@/components/ui/page';
import { AssessmentsList } from '@/features/assessments/components/assessments-list';

import { RequirePermission } from './guard';

export default function AssessmentsRoute() {
  return (
    <RequirePermission permission="assessments.read">
      <PageHeader title="Assessments" description="Every submitted assessment, newest first." />
      <AssessmentsList />
    </RequirePermission>
  );
}
