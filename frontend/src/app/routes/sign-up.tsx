import { useMemo } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';

import { paths } from '@/config/paths';
import { AuthLayout } from '@/features/auth/components/auth-layout';
import { SignUpForm } from '@/features/auth/components/sign-up-form';

export default function SignUpRoute() {
  const location = useLocation();
  const navigate = useNavigate();
  const invite = useMemo(() => new URLSearchParams(location.hash.replace(/^#/, '')), [location.hash]);
  const invitation = invite.get('invitation');
  return (
    <AuthLayout
      title={invitation ? 'Accept your invitation' : 'Create the first account'}
      subtitle={invitation ? 'Choose a password to join the platform.' : 'The first account on a new platform becomes its super-admin.'}
    >
      <SignUpForm invitation={invitation} invitedEmail={invite.get('email')}
        onSignedUp={() => navigate(`${paths.security}?welcome=1`, { replace: true })} />
      <p className="mt-6 text-center text-sm text-slate-500">
        Already have an account? <Link to={paths.signIn} className="font-medium text-brand-700 hover:underline">Sign in</Link>
      </p>
    </AuthLayout>
  );
}
