import { useState, type FormEvent } from 'react';

import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { TextField } from '@/components/ui/field';
import { describeError } from '@/lib/errors';
import { session } from '@/lib/session';
import type { TokenPair } from '@/types/api';

import { getMe } from '../api/get-me';
import { useLogin } from '../api/login';
import { useVerifyLogin } from '../api/verify-login';

/** Password, then (when 2FA is on) a code from the authenticator app or a recovery code. */
export function SignInForm({ onSignedIn }: { onSignedIn: () => void }) {
  const [mfaToken, setMfaToken] = useState<string | null>(null);
  const [useRecovery, setUseRecovery] = useState(false);
  const login = useLogin();
  const verify = useVerifyLogin();
  const [finishing, setFinishing] = useState(false);

  async function finish(pair: TokenPair) {
    setFinishing(true);
    session.start(pair);
    try {
      await getMe();
    } finally {
      setFinishing(false);
    }
    onSignedIn();
  }

  async function submitPassword(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const answer = await login
      .mutateAsync({ email: String(form.get('email')), password: String(form.get('password')) })
      .catch(() => null);
    if (!answer) return;
    if ('mfa_token' in answer) setMfaToken(answer.mfa_token);
    else await finish(answer);
  }

  async function submitCode(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!mfaToken) return;
    const value = String(new FormData(event.currentTarget).get('code')).trim();
    const pair = await verify
      .mutateAsync(useRecovery ? { mfaToken, recoveryCode: value } : { mfaToken, code: value.replace(/\s/g, '') })
      .catch(() => null);
    if (pair) await finish(pair);
  }

  if (mfaToken) {
    return (
      <form onSubmit={submitCode} className="space-y-5" noValidate>
        <p className="text-sm text-slate-600">
          {useRecovery
            ? 'Enter one of the recovery codes you saved when you turned on two-factor authentication.'
            : 'Open your authenticator app and enter the 6-digit code for this account.'}
        </p>
        {verify.error && <Alert tone="error">{describeError(verify.error)}</Alert>}
        {useRecovery ? (
          <TextField key="recovery" name="code" label="Recovery code" autoComplete="off" autoFocus required
            spellCheck={false} autoCapitalize="none" />
        ) : (
          <TextField key="totp" name="code" label="Authentication code" autoComplete="one-time-code" autoFocus
            required inputMode="numeric" pattern="[0-9 ]*" maxLength={8} placeholder="123 456" />
        )}
        <Button type="submit" className="w-full" loading={verify.isPending || finishing}>
          Verify and sign in
        </Button>
        <div className="flex justify-between text-sm">
          <button type="button" className="font-medium text-brand-700 hover:underline"
            onClick={() => { setUseRecovery((v) => !v); verify.reset(); }}>
            {useRecovery ? 'Use the authenticator app' : 'Use a recovery code'}
          </button>
          <button type="button" className="text-slate-500 hover:underline"
            onClick={() => { setMfaToken(null); verify.reset(); }}>
            Start over
          </button>
        </div>
      </form>
    );
  }

  return (
    <form onSubmit={submitPassword} className="space-y-5">
      {login.error && <Alert tone="error">{describeError(login.error)}</Alert>}
      <TextField name="email" type="email" label="Email" autoComplete="username" required />
      <TextField name="password" type="password" label="Password" autoComplete="current-password" required />
      <Button type="submit" className="w-full" loading={login.isPending || finishing}>
        Sign in
      </Button>
    </form>
  );
}
