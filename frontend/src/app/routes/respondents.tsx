import { PageHeader } from '@/components/ui/page';
import { RespondentsList } from '@/features/respondents/components/respondents-list';

import { RequirePermission } from './guard';

export default function RespondentsRoute() {
  return (
    <RequirePermission permission="respondents.read">
      <PageHeader title="Respondents" description="People who took an assessment, on the web or on WhatsApp." />
      <RespondentsList />
    </RequirePermission>
  );
}
