import { getConfig } from '@/config/env';
import { authFetch } from '@/lib/api-client';
import { ApiError } from '@/lib/errors';

/**
 * Sends one WhatsApp message as a respondent through the development relay named in config.json
 * (`simulatorUrl`), which signs it exactly as Twilio does and posts it to the real webhook; answers the
 * replies the webhook gave. There is no relay in production: the page is not shown there.
 */
export type SimulatorReply = { replies: string[] };

export async function sendMessage(from: string, body: string): Promise<SimulatorReply> {
  const url = getConfig().simulatorUrl;
  if (!url) throw new Error('No simulator is configured for this environment.');
  const response = await authFetch(
    new Request(new URL(url, window.location.origin), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from, body }),
    }),
  );
  const answer: unknown = await response.json().catch(() => undefined);
  if (!response.ok) throw ApiError.from(response.status, answer);
  return answer as SimulatorReply;
}
