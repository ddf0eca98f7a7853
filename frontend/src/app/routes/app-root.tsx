import { useState } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router';

import { AppLayout, type NavItem } from '@/components/layouts/app-layout';
import { Badge } from '@/components/ui/badge';
import { ErrorState, LoadingState } from '@/components/ui/states';
import { getConfig } from '@/config/env';
import { paths } from '@/config/paths';
import { useSession } from '@/lib/auth';
import { can } from '@/lib/authorization';
import { isNetworkError } from '@/lib/errors';
import { useMe } from '@/features/auth/api/get-me';
import { logout } from '@/features/auth/api/logout';
import { useOutboxSync } from '@/features/fieldwork/hooks/use-outbox';
import type { UserPublic } from '@/types/api';

function navFor(user: UserPublic, queued: number): NavItem[] {
  const role = user.role;
  const items: (NavItem | false)[] = [
    can(role, 'dashboard.read') && { to: paths.dashboard, label: 'Dashboard', icon: 'dashboard' },
    can(role, 'assessments.submit') && {
      to: paths.fieldwork, label: 'New assessment', icon: 'fieldwork',
      badge: queued > 0 ? <Badge tone="amber" className="ml-auto">{queued}</Badge> : undefined,
    },
    can(role, 'assessments.read') && { to: paths.assessments, label: 'Assessments', icon: 'assessments' },
    can(role, 'respondents.read') && { to: paths.respondents, label: 'Respondents', icon: 'respondents' },
    can(role, 'questionnaires.read') && { to: paths.questionnaires, label: 'Questionnaires', icon: 'questionnaires' },
    can(role, 'reports.read') && { to: paths.reports, label: 'Reports', icon: 'reports' },
    (can(role, 'exports.create') || can(role, 'costs.export')) && { to: paths.exports, label: 'Exports', icon: 'exports' },
    can(role, 'costs.read') && { to: paths.costs, label: 'Costs', icon: 'costs' },
    can(role, 'users.manage') && { to: paths.users, label: 'Users', icon: 'users' },
    can(role, 'audit.read') && { to: paths.audit, label: 'Audit log', icon: 'audit' },
    getConfig().environment !== 'prod' && !!getConfig().simulatorUrl && can(role, 'users.manage') && {
      to: paths.simulator, label: 'WhatsApp simulator', icon: 'simulator',
    },
  ];
  return items.filter((i): i is NavItem => !!i);
}

function SignedIn({ user }: { user: UserPublic }) {
  const navigate = useNavigate();
  const { pending } = useOutboxSync(can(user.role, 'assessments.submit') ? user.id : undefined);
  const [leaving, setLeaving] = useState(false);

  async function signOut() {
    if (pending > 0 && !window.confirm(`${pending} finished assessment(s) are still waiting on this device. They are sent only while you are signed in. Sign out anyway?`)) {
      return;
    }
    setLeaving(true);
    await logout();
    navigate(paths.signIn, { replace: true });
  }

  if (leaving) return <LoadingState label="Signing out…" />;
  return <AppLayout items={navFor(user, pending)} user={user} onSignOut={signOut} />;
}

/** The signed-in frame: sends visitors without a session to sign in, refreshes who the user is. */
export function AppRoot() {
  const current = useSession();
  const location = useLocation();
  const me = useMe(!!current);
  if (!current) {
    const next = location.pathname + location.search;
    return <Navigate to={`${paths.signIn}${next !== '/' ? `?next=${encodeURIComponent(next)}` : ''}`} replace />;
  }
  // Offline, the user last seen is good enough to work with the queue and the cached questionnaire.
  const user = me.data ?? current.user;
  if (user) return <SignedIn user={user} />;
  if (me.error && !isNetworkError(me.error)) return <ErrorState error={me.error} onRetry={() => me.refetch()} />;
  return <LoadingState />;
}
