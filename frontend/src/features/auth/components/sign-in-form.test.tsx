import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';

import { session } from '@/lib/session';
import { json, mockApi } from '@/testing/mock-api';
import { renderWithProviders, testUser } from '@/testing/render';

import { SignInForm } from './sign-in-form';

const pair = { access_token: 'a', refresh_token: 'r', expires_in: 900, token_type: 'bearer' };

describe('signing in', () => {
  it('carries the autocomplete hints password managers and phones use', () => {
    renderWithProviders(<SignInForm onSignedIn={() => {}} />);
    expect(screen.getByLabelText('Email')).toHaveAttribute('autocomplete', 'username');
    expect(screen.getByLabelText('Password')).toHaveAttribute('autocomplete', 'current-password');
  });

  it('asks for the authenticator code when 2FA is on, then signs in', async () => {
    const net = mockApi({
      'POST /api/v1/auth/login': () => ({ mfa_required: true, mfa_token: 'mfa-1' }),
      'POST /api/v1/auth/2fa/verify-login': () => pair,
      'GET /api/v1/auth/me': () => testUser('analyst'),
    });
    const done = vi.fn();
    renderWithProviders(<SignInForm onSignedIn={done} />);
    await userEvent.type(screen.getByLabelText('Email'), 'ana@example.org');
    await userEvent.type(screen.getByLabelText('Password'), 'a sturdy passphrase 42');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));

    const code = await screen.findByLabelText('Authentication code');
    expect(code).toHaveAttribute('autocomplete', 'one-time-code');
    await userEvent.type(code, '123 456');
    await userEvent.click(screen.getByRole('button', { name: 'Verify and sign in' }));

    await waitFor(() => expect(done).toHaveBeenCalled());
    const verify = net.callsTo('POST /api/v1/auth/2fa/verify-login')[0]!;
    expect(await verify.json()).toEqual({ mfa_token: 'mfa-1', code: '123456' });
    expect(verify.headers.get('authorization')).toBe('Bearer mfa-1');
    expect(session.get()?.user?.role).toBe('analyst');
  });

  it('takes a recovery code instead', async () => {
    const net = mockApi({
      'POST /api/v1/auth/login': () => ({ mfa_required: true, mfa_token: 'mfa-1' }),
      'POST /api/v1/auth/2fa/verify-login': () => pair,
      'GET /api/v1/auth/me': () => testUser(),
    });
    renderWithProviders(<SignInForm onSignedIn={() => {}} />);
    await userEvent.type(screen.getByLabelText('Email'), 'a@example.org');
    await userEvent.type(screen.getByLabelText('Password'), 'pw');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await userEvent.click(await screen.findByRole('button', { name: 'Use a recovery code' }));
    await userEvent.type(screen.getByLabelText('Recovery code'), 'abcd-efgh');
    await userEvent.click(screen.getByRole('button', { name: 'Verify and sign in' }));
    await waitFor(() => expect(net.callsTo('POST /api/v1/auth/2fa/verify-login')).toHaveLength(1));
    expect(await net.callsTo('POST /api/v1/auth/2fa/verify-login')[0]!.json()).toEqual({ mfa_token: 'mfa-1', recovery_code: 'abcd-efgh' });
  });

  it('says what is wrong when the password is refused', async () => {
    mockApi({ 'POST /api/v1/auth/login': () => json({ error: { code: 'unauthorized', message: 'Wrong email or password.' } }, 401) });
    renderWithProviders(<SignInForm onSignedIn={() => {}} />);
    await userEvent.type(screen.getByLabelText('Email'), 'a@example.org');
    await userEvent.type(screen.getByLabelText('Password'), 'nope');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Wrong email or password.');
    expect(session.get()).toBeNull();
  });
});
