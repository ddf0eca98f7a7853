import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';

import { json, mockApi } from '@/testing/mock-api';
import { renderWithProviders, signIn, testUser } from '@/testing/render';

import { groupSecret, TwoFactorSettings } from './two-factor-settings';

const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

describe('two-factor setup', () => {
  it('shows the QR code and the secret for manual entry, then the recovery codes once', async () => {
    signIn();
    const net = mockApi({
      'POST /api/v1/auth/2fa/setup': () => ({ secret: SECRET, otpauth_uri: 'otpauth://totp/x', qr: 'data:image/png;base64,AAAA' }),
      'POST /api/v1/auth/2fa/enable': () => ({ recovery_codes: ['aaaa-bbbb', 'cccc-dddd'] }),
      'GET /api/v1/auth/me': () => testUser('super-admin', { two_factor_enabled: true }),
    });
    renderWithProviders(<TwoFactorSettings user={testUser()} />);
    await userEvent.click(screen.getByRole('button', { name: /Set up two-factor/ }));
    expect(await screen.findByRole('img', { name: /QR code/ })).toHaveAttribute('src', 'data:image/png;base64,AAAA');
    expect(screen.getByTestId('totp-secret')).toHaveTextContent(groupSecret(SECRET));
    const code = screen.getByLabelText('Code from the app');
    expect(code).toHaveAttribute('autocomplete', 'one-time-code');
    await userEvent.type(code, '654321');
    await userEvent.click(screen.getByRole('button', { name: 'Turn on' }));
    const list = await screen.findByRole('list', { name: 'Recovery codes' });
    expect(list).toHaveTextContent('aaaa-bbbb');
    expect(await net.callsTo('POST /api/v1/auth/2fa/enable')[0]!.json()).toEqual({ code: '654321' });
    await userEvent.click(screen.getByRole('button', { name: 'I have saved them' }));
    expect(screen.queryByRole('list', { name: 'Recovery codes' })).toBeNull();
  });

  it('shows a wrong code next to the field', async () => {
    signIn();
    mockApi({
      'POST /api/v1/auth/2fa/setup': () => ({ secret: SECRET, otpauth_uri: 'otpauth://totp/x', qr: 'data:image/png;base64,AAAA' }),
      'POST /api/v1/auth/2fa/enable': () => json({ error: { code: 'validation_failed', message: 'Invalid.', details: [{ loc: ['body', 'code'], message: 'The code is wrong or was already used.' }] } }, 422),
    });
    renderWithProviders(<TwoFactorSettings user={testUser()} />);
    await userEvent.click(screen.getByRole('button', { name: /Set up two-factor/ }));
    await userEvent.type(await screen.findByLabelText('Code from the app'), '000000');
    await userEvent.click(screen.getByRole('button', { name: 'Turn on' }));
    expect(await screen.findByText('The code is wrong or was already used.')).toBeInTheDocument();
    expect(screen.getByLabelText('Code from the app')).toHaveAttribute('aria-invalid', 'true');
  });

  it('groups the secret in fours', () => {
    expect(groupSecret('ABCDEFGHIJ')).toBe('ABCD EFGH IJ');
  });
});
