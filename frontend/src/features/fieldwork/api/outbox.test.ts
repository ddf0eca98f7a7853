import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import type { SubmissionCreate, SubmissionResult } from '@/types/api';

import { enqueue, listOutbox, listSent, resetOutboxConnection, syncOutbox } from './outbox';
import type { SubmitOutcome } from './submit-assessment';

const USER = 'user-1';
const body: SubmissionCreate = {
  questionnaire_version_id: '00000000-0000-4000-8000-0000000000aa',
  respondent: { name: 'Awa', phone: '+221700000001', sector: 'agri', region: '', language: 'en' },
  answers: [],
  channel: 'web',
};
const result = (id: string): SubmissionResult => ({
  assessment_id: id, respondent_id: 'r', questionnaire_version_id: body.questionnaire_version_id,
  submitted_at: '2026-11-29T10:00:00Z', scores: [], recommendations: [],
});

/** The server's promise, in small: one stored assessment per key, the stored answer on a repeat. */
function fakeServer() {
  const stored = new Map<string, string>();
  const send = vi.fn(async (key: string): Promise<SubmitOutcome> => {
    const known = stored.get(key);
    if (known) return { ok: true, status: 201, result: result(known), replayed: true };
    stored.set(key, `assessment-${stored.size + 1}`);
    return { ok: true, status: 201, result: result(stored.get(key)!), replayed: false };
  });
  return { stored, send };
}

beforeEach(() => {
  globalThis.indexedDB = new IDBFactory();
  resetOutboxConnection();
});

describe('the outbox', () => {
  it('keeps one item per key however often it is put', async () => {
    await enqueue({ key: 'k1', userId: USER, body, respondentName: 'Awa' });
    await enqueue({ key: 'k1', userId: USER, body, respondentName: 'Awa' });
    expect(await listOutbox(USER)).toHaveLength(1);
  });

  it('keeps items while offline and sends each once when back', async () => {
    await enqueue({ key: 'k1', userId: USER, body, respondentName: 'Awa' });
    await enqueue({ key: 'k2', userId: USER, body, respondentName: 'Ben' });
    const offline = vi.fn(async () => {
      throw new TypeError('Failed to fetch');
    });
    const report = await syncOutbox(USER, offline);
    expect(report).toMatchObject({ offline: true, sent: 0, waiting: 2 });
    expect(await listOutbox(USER)).toHaveLength(2);

    const server = fakeServer();
    expect(await syncOutbox(USER, server.send)).toMatchObject({ sent: 2, offline: false });
    expect(server.stored.size).toBe(2);
    expect(await listOutbox(USER)).toEqual([]);
    expect((await listSent(USER)).map((s) => s.respondentName).sort()).toEqual(['Awa', 'Ben']);
  });

  it('stores each assessment once however many syncs run at the same time', async () => {
    await enqueue({ key: 'k1', userId: USER, body, respondentName: 'Awa' });
    const server = fakeServer();
    await Promise.all([syncOutbox(USER, server.send), syncOutbox(USER, server.send), syncOutbox(USER, server.send)]);
    expect(server.send).toHaveBeenCalledTimes(1);
    expect(server.stored.size).toBe(1);
    expect(await listOutbox(USER)).toEqual([]);
  });

  it('does not queue again an assessment already sent (a late second click)', async () => {
    const server = fakeServer();
    await enqueue({ key: 'k1', userId: USER, body, respondentName: 'Awa' });
    await syncOutbox(USER, server.send);
    await enqueue({ key: 'k1', userId: USER, body, respondentName: 'Awa' });
    expect(await listOutbox(USER)).toEqual([]);
  });

  it('waits on 409 (still being stored) and sets aside what the server refuses', async () => {
    await enqueue({ key: 'busy', userId: USER, body, respondentName: 'Awa' });
    await enqueue({ key: 'bad', userId: USER, body, respondentName: 'Ben' });
    const send = vi.fn(async (key: string): Promise<SubmitOutcome> =>
      key === 'busy'
        ? { ok: false, status: 409, error: { error: { code: 'conflict', message: 'Still being processed' } } }
        : { ok: false, status: 422, error: { error: { code: 'validation_failed', message: 'unknown sector agri' } } });
    const report = await syncOutbox(USER, send);
    expect(report).toMatchObject({ waiting: 1, failed: 1 });
    const items = Object.fromEntries((await listOutbox(USER)).map((i) => [i.key, i]));
    expect(items.busy).toMatchObject({ state: 'pending', attempts: 1 });
    expect(items.bad).toMatchObject({ state: 'failed', lastError: 'unknown sector agri' });
    expect(await syncOutbox(USER, send)).toMatchObject({ waiting: 1, failed: 0 });
  });

  it('files the assessment under the respondent this user already entered with that phone', async () => {
    await enqueue({ key: 'k1', userId: USER, body, respondentName: 'Awa' });
    const send = vi.fn(async (key: string, sent: SubmissionCreate): Promise<SubmitOutcome> =>
      'phone' in sent.respondent
        ? { ok: false, status: 409, error: { error: { code: 'respondent_exists', message: 'exists', details: { respondent_id: 'r-7', path: 'body.respondent.phone' } } } }
        : { ok: true, status: 201, result: result(`for-${key}`), replayed: false });
    expect(await syncOutbox(USER, send)).toMatchObject({ sent: 1, failed: 0 });
    expect(send).toHaveBeenLastCalledWith('k1.r', { ...body, respondent: { id: 'r-7' } });
    expect(await listOutbox(USER)).toEqual([]);
  });

  it('shows each user only their own queue', async () => {
    await enqueue({ key: 'k1', userId: USER, body, respondentName: 'Awa' });
    expect(await listOutbox('someone-else')).toEqual([]);
  });
});
