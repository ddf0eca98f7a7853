import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';

import { paths } from '@/config/paths';
import { AuthLayout } from '@/features/auth/components/auth-layout';
import { SignInForm } from '@/features/auth/components/sign-in-form';
import { homeFor, useSession } from '@/lib/auth';
import { session } from '@/lib/session';

/** Only same-site paths are followed after sign-in, never another origin. */
function safeNext(next: string | null): string | null {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : null;
}

export default function SignInRoute() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const current = useSession();
  const next = safeNext(params.get('next'));
  if (current?.user) return <Navigate to={next ?? homeFor(current.user)} replace />;
  return (
    <AuthLayout title="Sign in" subtitle="Welcome back. Sign in to continue.">
      <SignInForm onSignedIn={() => navigate(next ?? homeFor(session.get()?.user ?? null), { replace: true })} />
      <p className="mt-6 text-center text-sm text-slate-500">
        Setting up a new platform? <Link to={paths.signUp} className="font-medium text-brand-700 hover:underline">Create the first account</Link>
      </p>
    </AuthLayout>
  );
}
