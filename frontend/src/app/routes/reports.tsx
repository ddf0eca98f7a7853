import { PageHeader } from '@/components/ui/page';
import { ReportsView } from '@/features/reports/components/reports-view';

import { RequirePermission } from './guard';

export default function ReportsRoute() {
  return (
    <RequirePermission permission="reports.read">
      <PageHeader title="Reports" description="Scores by sector and by skill." />
      <ReportsView />
    </RequirePermission>
  );
}
