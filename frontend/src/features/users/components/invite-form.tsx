import { useState, type FormEvent } from 'react';

import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Card, CardHeader } from '@/components/ui/card';
import { SelectField, TextField } from '@/components/ui/field';
import { describeError, problemFor } from '@/lib/errors';
import type { InvitationPublic, Role } from '@/types/api';
import { formatDateTime } from '@/utils/format';

import { useCreateInvitation } from '../api/create-invitation';

export const ROLES: { value: Role; label: string; description: string }[] = [
  { value: 'enumerator', label: 'Enumerator', description: 'takes assessments in the field; sees only their own' },
  { value: 'analyst', label: 'Analyst', description: 'reads everything, reports and exports' },
  { value: 'finance', label: 'Finance', description: 'costs only' },
  { value: 'super-admin', label: 'Super-admin', description: 'everything, users included' },
];

/** The sign-up link for an invitation; the token rides in the fragment, which browsers never send. */
export function invitationLink(invitation: InvitationPublic, origin = window.location.origin): string {
  const fragment = new URLSearchParams({ invitation: invitation.token, email: invitation.email });
  return `${origin}/sign-up#${fragment.toString()}`;
}

export function InviteForm() {
  const invite = useCreateInvitation();
  const [copied, setCopied] = useState(false);
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setCopied(false);
    invite.mutate({ email: String(form.get('email')), role: String(form.get('role')) as Role });
  }
  const link = invite.data ? invitationLink(invite.data) : null;
  return (
    <Card>
      <CardHeader title="Invite someone" description="They choose their own password from the link, valid for 7 days." />
      <form onSubmit={submit} className="grid gap-4 p-5 sm:grid-cols-[1fr_14rem_auto] sm:items-end">
        <TextField name="email" type="email" label="Email" autoComplete="off" required error={problemFor(invite.error, 'email')} />
        <SelectField name="role" label="Role" defaultValue="enumerator">
          {ROLES.map((r) => <option key={r.value} value={r.value}>{r.label}: {r.description}</option>)}
        </SelectField>
        <Button type="submit" loading={invite.isPending}>Create invitation</Button>
      </form>
      {invite.error && !problemFor(invite.error, 'email') && <Alert tone="error" className="mx-5 mb-5">{describeError(invite.error)}</Alert>}
      {invite.data && link && (
        <div className="mx-5 mb-5 space-y-2 rounded-lg bg-emerald-50 p-4 ring-1 ring-emerald-200">
          <p className="text-sm font-medium text-emerald-900">
            Invitation for {invite.data.email} ({invite.data.role}), valid until {formatDateTime(invite.data.expires_at)}. Send them this link; it is shown only now.
          </p>
          <div className="flex flex-wrap gap-2">
            <input readOnly value={link} aria-label="Invitation link" data-testid="invitation-link"
              className="min-w-0 flex-1 rounded-lg bg-white px-3 py-2 font-mono text-xs ring-1 ring-emerald-200" onFocus={(e) => e.target.select()} />
            <Button variant="secondary" size="sm" onClick={() => navigator.clipboard?.writeText(link).then(() => setCopied(true))}>
              {copied ? 'Copied' : 'Copy link'}
            </Button>
          </div>
        </div>
      )}
    </Card>
  );
}
