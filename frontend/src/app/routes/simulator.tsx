import { PageHeader } from '@/components/ui/page';
import { EmptyState } from '@/components/ui/states';
import { getConfig } from '@/config/env';
import { SimulatorChat } from '@/features/simulator/components/simulator-chat';

import { RequirePermission } from './guard';

export default function SimulatorRoute() {
  const config = getConfig();
  const available = config.environment !== 'prod' && !!config.simulatorUrl;
  return (
    <RequirePermission permission="users.manage">
      <PageHeader title="WhatsApp simulator" description="Development only: take the assessment as a respondent would on WhatsApp." />
      {available ? <SimulatorChat /> : <EmptyState title="No simulator in this environment">It is available when the platform runs locally with the WhatsApp webhook.</EmptyState>}
    </RequirePermission>
  );
}
