import { PageHeader } from '@/components/ui/page';
import { CostsView } from '@/features/costs/components/costs-view';

import { RequirePermission } from './guard';

export default function CostsRoute() {
  return (
    <RequirePermission permission="costs.read">
      <PageHeader title="Costs" description="What every request cost, from the cost ledger." />
      <CostsView />
    </RequirePermission>
  );
}
