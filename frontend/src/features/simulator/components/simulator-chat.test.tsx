import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';

import { setConfig } from '@/config/env';
import { mockApi } from '@/testing/mock-api';
import { renderWithProviders, signIn } from '@/testing/render';

import { quickReplies, SimulatorChat } from './simulator-chat';

const QUESTION = 'Q1/21 Do you have access to a computer?\n1. Yes\n2. No\nReply with one number (1-2).';

describe('the WhatsApp simulator', () => {
  it('offers the numbers of a numbered question and YES/NO at consent, nothing for free text', () => {
    expect(quickReplies(QUESTION)).toEqual(['1', '2']);
    expect(quickReplies('Hello! ... Please reply YES to begin or NO to stop.')).toEqual(['YES', 'NO']);
    expect(quickReplies('Q5/21 What do you do?\nReply in your own words.')).toEqual([]);
    expect(quickReplies('Thank you, Awa! Your results:\n\nOur advice:\n1. Take a course')).toEqual([]);
  });

  it('sends through the relay named in config.json and shows the replies; a quick reply sends at once', async () => {
    signIn();
    setConfig({ apiBase: '', environment: 'local', wsUrl: null, simulatorUrl: '/api/local/whatsapp/messages' });
    const net = mockApi({
      'POST /api/local/whatsapp/messages': async (r) => {
        const { body } = (await r.json()) as { body: string };
        return { replies: [body === 'HI' ? QUESTION : 'Q2/21 Next?\nReply in your own words.'] };
      },
    });
    renderWithProviders(<SimulatorChat />);
    await userEvent.type(screen.getByLabelText('Message'), 'HI');
    await userEvent.click(screen.getByRole('button', { name: 'Send' }));
    const conversation = screen.getByRole('list', { name: 'Conversation' });
    expect(await within(conversation).findByText(/Do you have access to a computer/)).toBeInTheDocument();
    await userEvent.click(within(screen.getByRole('group', { name: 'Quick replies' })).getByRole('button', { name: '1' }));
    expect(await within(conversation).findByText(/Q2\/21 Next/)).toBeInTheDocument();
    await waitFor(() => expect(net.callsTo('POST /api/local/whatsapp/messages')).toHaveLength(2));
    const sent = await Promise.all(net.callsTo('POST /api/local/whatsapp/messages').map((r) => r.json()));
    expect(sent).toEqual([{ from: '+254700000001', body: 'HI' }, { from: '+254700000001', body: '1' }]);
    expect(screen.queryByRole('group', { name: 'Quick replies' })).toBeNull();
  });
});
