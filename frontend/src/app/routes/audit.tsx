import { PageHeader } from '@/components/ui/page';
import { AuditLog } from '@/features/audit/components/audit-log';

import { RequirePermission } from './guard';

export default function AuditRoute() {
  return (
    <RequirePermission permission="audit.read">
      <PageHeader title="Audit log" description="Sign-ins, changes to accounts and questionnaires, and every other recorded action." />
      <AuditLog />
    </RequirePermission>
  );
}
