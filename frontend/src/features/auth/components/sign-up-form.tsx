import { useState, type FormEvent } from 'react';

import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { TextField } from '@/components/ui/field';
import { describeError, problemFor } from '@/lib/errors';
import { session } from '@/lib/session';

import { getMe } from '../api/get-me';
import { login } from '../api/login';
import { useSignup } from '../api/signup';

/**
 * Creates an account and signs in. With no invitation this is the very first account (it becomes the
 * super-admin); an invitation link carries its token in the URL fragment, which never reaches a server log.
 */
export function SignUpForm({ invitation, invitedEmail, onSignedUp }: {
  invitation: string | null;
  invitedEmail: string | null;
  onSignedUp: () => void;
}) {
  const signup = useSignup();
  const [signingIn, setSigningIn] = useState(false);
  const [mismatch, setMismatch] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = String(form.get('email'));
    const password = String(form.get('password'));
    if (password !== String(form.get('confirm'))) {
      setMismatch(true);
      return;
    }
    setMismatch(false);
    const user = await signup
      .mutateAsync({ email, password, full_name: String(form.get('full_name') ?? ''), invitation_token: invitation })
      .catch(() => null);
    if (!user) return;
    setSigningIn(true);
    try {
      const answer = await login({ email, password });
      if ('access_token' in answer) {
        session.start(answer, user);
        await getMe();
      }
    } finally {
      setSigningIn(false);
    }
    onSignedUp();
  }

  const error = signup.error;
  return (
    <form onSubmit={submit} className="space-y-5">
      {error && !problemFor(error, 'password') && !problemFor(error, 'email') && (
        <Alert tone="error">{describeError(error)}</Alert>
      )}
      <TextField name="full_name" label="Full name" autoComplete="name" />
      <TextField name="email" type="email" label="Email" autoComplete="email" required
        defaultValue={invitedEmail ?? undefined} readOnly={!!invitedEmail} error={problemFor(error, 'email')} />
      <TextField name="password" type="password" label="Password" autoComplete="new-password" required minLength={12}
        hint="At least 12 characters; a short sentence is easy to remember and hard to guess."
        error={problemFor(error, 'password')} />
      <TextField name="confirm" type="password" label="Repeat the password" autoComplete="new-password" required
        error={mismatch ? 'The two passwords differ.' : undefined} />
      <Button type="submit" className="w-full" loading={signup.isPending || signingIn}>
        Create account
      </Button>
    </form>
  );
}
