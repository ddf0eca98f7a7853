import { useEffect, useRef, useState, type FormEvent } from 'react';

import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Card, CardHeader } from '@/components/ui/card';
import { TextField } from '@/components/ui/field';
import { describeError } from '@/lib/errors';
import { cn } from '@/utils/cn';

import { sendMessage } from '../api/send-message';

type Bubble = { from: 'me' | 'bot'; text: string };

/** One-tap answers for the last message: YES/NO at consent, the option numbers of a numbered question. */
export function quickReplies(text: string | undefined): string[] {
  if (!text) return [];
  if (/\bReply YES\b/i.test(text)) return ['YES', 'NO'];
  if (!/^Reply with (one number|a number|the numbers)/im.test(text)) return [];
  const numbers = [...text.matchAll(/^(\d{1,2})\. /gm)].map((m) => m[1]!);
  return numbers.length <= 12 ? numbers : [];
}

/** A phone-like chat with the WhatsApp webhook, for trying the conversation without a Twilio account. */
export function SimulatorChat() {
  const [phone, setPhone] = useState('+254700000001');
  const [bubbles, setBubbles] = useState<Bubble[]>([]);
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const list = useRef<HTMLOListElement>(null);
  useEffect(() => {
    // The newest message in view, inside the conversation only (the page itself does not jump).
    if (list.current) list.current.scrollTop = list.current.scrollHeight;
  }, [bubbles]);

  async function send(raw: string) {
    const message = raw.trim();
    if (!message || busy) return;
    setBubbles((b) => [...b, { from: 'me', text: message }]);
    setText('');
    setBusy(true);
    setError(null);
    try {
      const answer = await sendMessage(phone, message);
      setBubbles((b) => [...b, ...answer.replies.map((r) => ({ from: 'bot' as const, text: r }))]);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  const last = bubbles.at(-1);
  const quick = last?.from === 'bot' ? quickReplies(last.text) : [];

  return (
    <Card className="mx-auto flex max-w-xl flex-col">
      <CardHeader title="WhatsApp simulator" description="Messages are signed as Twilio signs them and go through the real webhook." />
      <div className="flex items-end gap-2 border-b border-slate-100 p-4">
        <div className="flex-1"><TextField label="Respondent's phone" value={phone} onChange={(e) => setPhone(e.target.value)} inputMode="tel" /></div>
        <Button variant="secondary" onClick={() => { setBubbles([]); setError(null); }} disabled={busy || bubbles.length === 0}>Clear</Button>
      </div>
      <ol ref={list} aria-label="Conversation" aria-live="polite" className="h-[28rem] space-y-2 overflow-y-auto bg-[#efeae2] p-4">
        {bubbles.length === 0 && <li className="text-center text-sm text-slate-500">Say HI to start.</li>}
        {bubbles.map((b, i) => (
          <li key={i} data-from={b.from} className={cn('max-w-[80%] whitespace-pre-wrap rounded-lg px-3 py-2 text-sm shadow-sm',
            b.from === 'me' ? 'ml-auto bg-[#d9fdd3]' : 'bg-white')}>
            <span className="sr-only">{b.from === 'me' ? 'You: ' : 'Platform: '}</span>{b.text}
          </li>
        ))}
      </ol>
      {error !== null && <Alert tone="error" className="m-4">{describeError(error)}</Alert>}
      {quick.length > 0 && (
        <div className="flex flex-wrap gap-2 px-4 pt-3" role="group" aria-label="Quick replies">
          {quick.map((q) => (
            <button key={q} type="button" disabled={busy} onClick={() => void send(q)}
              className="min-w-10 rounded-full bg-white px-3 py-1 text-sm font-medium text-brand-700 ring-1 ring-inset ring-brand-600 hover:bg-brand-50 disabled:opacity-50">
              {q}
            </button>
          ))}
        </div>
      )}
      <form onSubmit={(e: FormEvent) => { e.preventDefault(); void send(text); }} className="flex gap-2 p-4">
        <label htmlFor="sim-message" className="sr-only">Message</label>
        <input id="sim-message" value={text} onChange={(e) => setText(e.target.value)} autoComplete="off" placeholder="Type a message"
          className="h-10 flex-1 rounded-full border-0 px-4 text-sm ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-brand-600" />
        <Button type="submit" loading={busy} className="rounded-full">Send</Button>
      </form>
    </Card>
  );
}
