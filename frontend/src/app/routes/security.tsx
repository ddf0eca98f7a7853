import { useSearchParams } from 'react-router';

import { Alert } from '@/components/ui/alert';
import { PageHeader } from '@/components/ui/page';
import { LoadingState } from '@/components/ui/states';
import { TwoFactorSettings } from '@/features/auth/components/two-factor-settings';
import { useUser } from '@/lib/auth';

export default function SecurityRoute() {
  const user = useUser();
  const [params] = useSearchParams();
  if (!user) return <LoadingState />;
  return (
    <>
      <PageHeader title="Account security" description={user.email} />
      {params.get('welcome') && !user.two_factor_enabled && (
        <Alert tone="info" title="Your account is ready" className="mb-6">
          Turn on two-factor authentication now: it takes a minute and protects everything this account can see.
        </Alert>
      )}
      <TwoFactorSettings user={user} />
    </>
  );
}
