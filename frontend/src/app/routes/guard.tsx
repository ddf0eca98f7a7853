import type { ReactNode } from 'react';

import { EmptyState } from '@/components/ui/states';
import { useUser } from '@/lib/auth';
import { can, type Permission } from '@/lib/authorization';

/** Shows a page only to roles that may use it (the server refuses the others anyway). */
export function RequirePermission({ permission, children }: { permission: Permission; children: ReactNode }) {
  const user = useUser();
  if (!can(user?.role, permission)) {
    return (
      <EmptyState title="This page is not available to your role">
        Ask a super-admin if you need access.
      </EmptyState>
    );
  }
  return <>{children}</>;
}
