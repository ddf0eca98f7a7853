import { useState, type FormEvent } from 'react';

import { Alert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardHeader } from '@/components/ui/card';
import { TextField } from '@/components/ui/field';
import { describeError, problemFor } from '@/lib/errors';
import type { TwoFactorSetup, UserPublic } from '@/types/api';

import { useDisableTwoFactor } from '../api/disable-2fa';
import { useEnableTwoFactor } from '../api/enable-2fa';
import { useSetupTwoFactor } from '../api/setup-2fa';

/** The secret in groups of four, easier to type into an app by hand. */
export function groupSecret(secret: string): string {
  return secret.replace(/(.{4})/g, '$1 ').trim();
}

function RecoveryCodesPanel({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const text = codes.join('\n');
  const [copied, setCopied] = useState(false);
  return (
    <div className="space-y-4">
      <Alert tone="success" title="Two-factor authentication is on">
        Save these recovery codes somewhere safe. Each one signs you in once if you lose your phone. They are shown
        only now.
      </Alert>
      <ul aria-label="Recovery codes" className="grid grid-cols-2 gap-2 rounded-lg bg-slate-50 p-4 font-mono text-sm ring-1 ring-slate-200 sm:grid-cols-2">
        {codes.map((code) => (
          <li key={code} className="select-all">{code}</li>
        ))}
      </ul>
      <div className="flex flex-wrap gap-2">
        <Button variant="secondary" onClick={() => navigator.clipboard?.writeText(text).then(() => setCopied(true))}>
          {copied ? 'Copied' : 'Copy codes'}
        </Button>
        <a className="inline-flex h-10 items-center rounded-lg px-4 text-sm font-medium text-slate-700 ring-1 ring-inset ring-slate-300 hover:bg-slate-50"
          href={`data:text/plain;charset=utf-8,${encodeURIComponent(text + '\n')}`} download="recovery-codes.txt">
          Download
        </a>
        <Button onClick={onDone}>I have saved them</Button>
      </div>
    </div>
  );
}

function Enrolment({ setup, onEnabled }: { setup: TwoFactorSetup; onEnabled: (codes: string[]) => void }) {
  const enable = useEnableTwoFactor({ onSuccess: (answer) => onEnabled(answer.recovery_codes) });
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const code = String(new FormData(event.currentTarget).get('code')).replace(/\s/g, '');
    enable.mutate(code);
  }
  return (
    <div className="grid gap-6 md:grid-cols-[auto_1fr]">
      <img src={setup.qr} alt="QR code to scan with an authenticator app" className="size-48 rounded-lg ring-1 ring-slate-200" />
      <div className="space-y-4">
        <ol className="list-decimal space-y-1 pl-5 text-sm text-slate-600">
          <li>Scan the QR code with an authenticator app (Google Authenticator, 1Password, Authy…).</li>
          <li>Or type this key into the app by hand:</li>
        </ol>
        <p className="rounded-lg bg-slate-50 px-3 py-2 font-mono text-sm tracking-wider text-slate-900 ring-1 ring-slate-200 select-all"
          data-testid="totp-secret" aria-label="Secret key for manual entry">
          {groupSecret(setup.secret)}
        </p>
        <form onSubmit={submit} className="flex flex-wrap items-end gap-3" noValidate>
          <div className="w-44">
            <TextField name="code" label="Code from the app" autoComplete="one-time-code" inputMode="numeric"
              pattern="[0-9 ]*" maxLength={8} required error={problemFor(enable.error, 'code')} />
          </div>
          <Button type="submit" loading={enable.isPending}>Turn on</Button>
        </form>
        {enable.error && !problemFor(enable.error, 'code') && <Alert tone="error">{describeError(enable.error)}</Alert>}
      </div>
    </div>
  );
}

function DisableForm({ onDone }: { onDone: () => void }) {
  const disable = useDisableTwoFactor({ onSuccess: onDone });
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    disable.mutate({ password: String(form.get('password')), code: String(form.get('code')).trim() });
  }
  return (
    <form onSubmit={submit} className="grid gap-4 sm:grid-cols-[1fr_1fr_auto] sm:items-end">
      <TextField name="password" type="password" label="Password" autoComplete="current-password" required />
      <TextField name="code" label="Code or recovery code" autoComplete="one-time-code" required />
      <Button type="submit" variant="danger" loading={disable.isPending}>Turn off</Button>
      {disable.error && <Alert tone="error" className="sm:col-span-3">{describeError(disable.error)}</Alert>}
    </form>
  );
}

export function TwoFactorSettings({ user }: { user: UserPublic }) {
  const setup = useSetupTwoFactor();
  const [codes, setCodes] = useState<string[] | null>(null);
  const [disabling, setDisabling] = useState(false);
  const on = user.two_factor_enabled;

  return (
    <Card>
      <CardHeader
        title="Two-factor authentication"
        description="A code from your phone at every sign-in keeps your account safe even if your password leaks."
        actions={<Badge tone={on ? 'green' : 'amber'}>{on ? 'On' : 'Off'}</Badge>}
      />
      <div className="p-5">
        {codes ? (
          <RecoveryCodesPanel codes={codes} onDone={() => setCodes(null)} />
        ) : on ? (
          disabling ? (
            <DisableForm onDone={() => setDisabling(false)} />
          ) : (
            <div className="flex flex-wrap items-center justify-between gap-3">
              <p className="text-sm text-slate-600">Sign-ins to this account ask for a code from your authenticator app.</p>
              <Button variant="secondary" onClick={() => setDisabling(true)}>Turn off…</Button>
            </div>
          )
        ) : setup.data ? (
          <Enrolment setup={setup.data} onEnabled={(c) => { setCodes(c); setup.reset(); }} />
        ) : (
          <div className="space-y-3">
            {setup.error && <Alert tone="error">{describeError(setup.error)}</Alert>}
            <Button onClick={() => setup.mutate()} loading={setup.isPending}>Set up two-factor authentication</Button>
          </div>
        )}
      </div>
    </Card>
  );
}
