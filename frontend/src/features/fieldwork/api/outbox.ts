import { openDB, type DBSchema, type IDBPDatabase } from 'idb';

import { ApiError } from '@/lib/errors';
import { withLock } from '@/lib/locks';
import type { SubmissionCreate, SubmissionResult } from '@/types/api';

import { submitAssessment, type SubmitOutcome } from './submit-assessment';

/**
 * Finished assessments waiting on this device (IndexedDB), each with the Idempotency-Key it was given when
 * it was finished. Every assessment goes through here, online or not: it is stored on the device first, then
 * sent. However often a sync runs (the online event, a timer, the Send button, another tab), the server
 * stores each key once: one sync at a time per browser (a Web Lock), items re-read inside the lock, and a
 * resent key answers the stored result instead of storing again.
 */
export type OutboxItem = {
  key: string;
  userId: string;
  body: SubmissionCreate;
  respondentName: string;
  createdAt: string;
  attempts: number;
  state: 'pending' | 'failed';
  lastError?: string;
};

export type SentItem = {
  key: string;
  userId: string;
  respondentName: string;
  sentAt: string;
  result: SubmissionResult;
};

interface FieldworkDb extends DBSchema {
  outbox: { key: string; value: OutboxItem; indexes: { byUser: string } };
  sent: { key: string; value: SentItem; indexes: { byUser: string } };
}

const KEEP_SENT = 20;
let dbPromise: Promise<IDBPDatabase<FieldworkDb>> | null = null;

function db(): Promise<IDBPDatabase<FieldworkDb>> {
  dbPromise ??= openDB<FieldworkDb>('skills-fieldwork', 1, {
    upgrade(database) {
      database.createObjectStore('outbox', { keyPath: 'key' }).createIndex('byUser', 'userId');
      database.createObjectStore('sent', { keyPath: 'key' }).createIndex('byUser', 'userId');
    },
  });
  return dbPromise;
}

/** Test hook: forget the open connection (fake-indexeddb is reset between tests). */
export function resetOutboxConnection(): void {
  dbPromise = null;
}

export const outboxEvents = new EventTarget();
const channel = typeof BroadcastChannel !== 'undefined' ? new BroadcastChannel('skills-outbox') : null;
channel?.addEventListener('message', () => outboxEvents.dispatchEvent(new Event('change')));

function changed(): void {
  outboxEvents.dispatchEvent(new Event('change'));
  channel?.postMessage('change');
}

/** Stores a finished assessment on the device. Putting the same key twice keeps one item. */
export async function enqueue(item: Omit<OutboxItem, 'attempts' | 'state' | 'createdAt'>): Promise<void> {
  const database = await db();
  const existing = await database.get('outbox', item.key);
  if (!existing && !(await database.get('sent', item.key))) {
    await database.put('outbox', { ...item, attempts: 0, state: 'pending', createdAt: new Date().toISOString() });
  }
  changed();
}

export async function listOutbox(userId: string): Promise<OutboxItem[]> {
  const items = await (await db()).getAllFromIndex('outbox', 'byUser', userId);
  return items.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

export async function listSent(userId: string): Promise<SentItem[]> {
  const items = await (await db()).getAllFromIndex('sent', 'byUser', userId);
  return items.sort((a, b) => b.sentAt.localeCompare(a.sentAt));
}

export async function sentResult(key: string): Promise<SentItem | undefined> {
  return (await db()).get('sent', key);
}

export async function discard(key: string): Promise<void> {
  await (await db()).delete('outbox', key);
  changed();
}

/** Puts a failed item back in line (after the problem was fixed on the server, say). */
export async function retry(key: string): Promise<void> {
  const database = await db();
  const item = await database.get('outbox', key);
  if (item) await database.put('outbox', { ...item, state: 'pending', lastError: undefined });
  changed();
}

export type SyncReport = { sent: number; failed: number; waiting: number; offline: boolean };

function messageOf(outcome: Extract<SubmitOutcome, { ok: false }>): string {
  return ApiError.from(outcome.status, outcome.error).message;
}

function codeOf(outcome: Extract<SubmitOutcome, { ok: false }>): string {
  return ApiError.from(outcome.status, outcome.error).code;
}

/** The id of the caller's respondent with this phone, when the API refused a "new" one as already known. */
function existingRespondent(outcome: SubmitOutcome): string | null {
  if (outcome.ok || outcome.status !== 409) return null;
  const error = ApiError.from(outcome.status, outcome.error);
  const details = error.details as { respondent_id?: unknown } | undefined;
  return error.code === 'respondent_exists' && typeof details?.respondent_id === 'string' ? details.respondent_id : null;
}

/** Sends every pending item of this user, oldest first; stops at the first sign of being offline. */
export function syncOutbox(
  userId: string,
  send: (key: string, body: SubmissionCreate) => Promise<SubmitOutcome> = submitAssessment,
): Promise<SyncReport> {
  return withLock('skills-outbox-sync', async () => {
    const report: SyncReport = { sent: 0, failed: 0, waiting: 0, offline: false };
    const database = await db();
    const pending = (await listOutbox(userId)).filter((i) => i.state === 'pending');
    for (const [index, queued] of pending.entries()) {
      // Another tab may have sent it while this one waited for the lock.
      const item = await database.get('outbox', queued.key);
      if (!item || item.state !== 'pending') continue;
      let outcome: SubmitOutcome;
      try {
        outcome = await send(item.key, item.body);
        const known = existingRespondent(outcome);
        if (known) {
          // The phone is that of a respondent this user already entered: the assessment is theirs. Nothing
          // was stored under the first key, and the changed body takes a key of its own (derived, so every
          // tab that gets here sends the same one).
          outcome = await send(`${item.key}.r`, { ...item.body, respondent: { id: known } });
        }
      } catch {
        await database.put('outbox', { ...item, attempts: item.attempts + 1, lastError: 'No connection' });
        report.offline = true;
        report.waiting = pending.length - index;
        break;
      }
      if (outcome.ok) {
        const tx = database.transaction(['outbox', 'sent'], 'readwrite');
        await tx.objectStore('outbox').delete(item.key);
        await tx.objectStore('sent').put({
          key: item.key, userId, respondentName: item.respondentName, sentAt: new Date().toISOString(),
          result: outcome.result,
        });
        await tx.done;
        report.sent += 1;
      } else if (outcome.status === 401 || outcome.status >= 500 || codeOf(outcome) === 'conflict') {
        // The session needs a sign-in, the server is struggling, or an earlier attempt is still being
        // stored: keep it and try again later.
        await database.put('outbox', { ...item, attempts: item.attempts + 1, lastError: messageOf(outcome) });
        report.waiting += 1;
      } else {
        await database.put('outbox', { ...item, attempts: item.attempts + 1, state: 'failed', lastError: messageOf(outcome) });
        report.failed += 1;
      }
    }
    await pruneSent(database, userId);
    changed();
    return report;
  });
}

async function pruneSent(database: IDBPDatabase<FieldworkDb>, userId: string): Promise<void> {
  const sent = await listSent(userId);
  for (const old of sent.slice(KEEP_SENT)) await database.delete('sent', old.key);
}
