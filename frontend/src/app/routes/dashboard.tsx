import { DashboardView } from '@/features/dashboard/components/dashboard-view';

import { RequirePermission } from './guard';

export default function DashboardRoute() {
  return (
    <RequirePermission permission="dashboard.read">
      <DashboardView />
    </RequirePermission>
  );
}
