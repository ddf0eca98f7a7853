import { useState } from 'react';

import { PageHeader } from '@/components/ui/page';
import { AssessmentForm } from '@/features/fieldwork/components/assessment-form';
import { OutboxQueue } from '@/features/fieldwork/components/outbox-queue';
import { useOutboxSync } from '@/features/fieldwork/hooks/use-outbox';
import { useUser } from '@/lib/auth';

import { RequirePermission } from './guard';

function Fieldwork({ userId }: { userId: string }) {
  const { sync } = useOutboxSync(userId);
  const [syncing, setSyncing] = useState(false);
  return (
    <>
      <PageHeader title="New assessment" description="Take an assessment with a respondent. It works offline: finished assessments wait on this device until they can be sent." />
      <div className="grid gap-6 xl:grid-cols-[1fr_22rem]">
        <AssessmentForm userId={userId} />
        <div className="order-first xl:order-none xl:sticky xl:top-6 xl:self-start">
          <OutboxQueue userId={userId} syncing={syncing}
            onSync={() => { setSyncing(true); void sync().finally(() => setSyncing(false)); }} />
        </div>
      </div>
    </>
  );
}

export default function FieldworkRoute() {
  const user = useUser();
  return (
    <RequirePermission permission="assessments.submit">
      {user && <Fieldwork userId={user.id} />}
    </RequirePermission>
  );
}
