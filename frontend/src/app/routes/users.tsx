import { PageHeader } from '@/components/ui/page';
import { InviteForm } from '@/features/users/components/invite-form';
import { UsersTable } from '@/features/users/components/users-table';
import { useUser } from '@/lib/auth';

import { RequirePermission } from './guard';

export default function UsersRoute() {
  const user = useUser();
  return (
    <RequirePermission permission="users.manage">
      <PageHeader title="Users" description="Accounts, roles and invitations." />
      <div className="space-y-6">
        <InviteForm />
        {user && <UsersTable currentUserId={user.id} />}
      </div>
    </RequirePermission>
  );
}
