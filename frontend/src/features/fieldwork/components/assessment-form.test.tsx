import { fireEvent, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, it } from 'vitest';

import { mockApi } from '@/testing/mock-api';
import { renderWithProviders, signIn, testUser } from '@/testing/render';

import { listOutbox, resetOutboxConnection } from '../api/outbox';

import { AssessmentForm } from './assessment-form';

const questions = {
  questionnaire: { id: 'q', version_id: '00000000-0000-4000-8000-0000000000aa', title: 'Skills baseline', version: 1, status: 'published' },
  questions: [
    { id: '00000000-0000-4000-8000-000000000001', code: 'computer', skill: 'digital', type: 'single_choice', label: 'Do you use a computer?',
      required: true, min: null, max: null, options: [{ code: 'yes', label: 'Yes' }, { code: 'no', label: 'No' }], show_if: null },
    { id: '00000000-0000-4000-8000-000000000002', code: 'comfort', skill: 'numeracy', type: 'scale', label: 'How comfortable with numbers?',
      required: true, min: 1, max: 5, options: [], show_if: null },
  ],
};
const sectors = { items: [{ code: 'agri', label: 'Agriculture', label_en: 'Agriculture', label_fr: 'Agriculture' }] };
const result = {
  assessment_id: 'a1', respondent_id: 'r1', questionnaire_version_id: questions.questionnaire.version_id, submitted_at: '2026-11-29T10:00:00Z',
  scores: [{ skill: 'digital', label: 'Digital', score: 100, band: 'advanced' }], recommendations: [{ skill: 'digital', band: 'advanced', priority: 1, text: 'Keep going.' }],
};

beforeEach(() => {
  globalThis.indexedDB = new IDBFactory();
  resetOutboxConnection();
});

async function fillIn() {
  await userEvent.type(await screen.findByLabelText('Full name'), 'Awa Diop');
  await userEvent.type(screen.getByLabelText('Phone (WhatsApp)'), '+221700000001');
  await userEvent.selectOptions(screen.getByLabelText('Sector'), 'agri');
  await userEvent.click(screen.getByLabelText('Yes'));
  await userEvent.click(screen.getByLabelText('4'));
}

describe('the fieldwork form', () => {
  it('stores one assessment however often Finish is pressed, with one Idempotency-Key', async () => {
    const user = signIn(testUser('enumerator'));
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const net = mockApi({
      'GET /api/v1/questions': () => questions,
      'GET /api/v1/sectors': () => sectors,
      'POST /api/v1/assessments/submit': async () => {
        await gate;
        return new Response(JSON.stringify(result), { status: 201, headers: { 'content-type': 'application/json' } });
      },
    });
    renderWithProviders(<AssessmentForm userId={user.id} />);
    await fillIn();
    const finish = screen.getByRole('button', { name: 'Finish assessment' });
    fireEvent.click(finish);
    fireEvent.click(finish);
    fireEvent.submit(finish.closest('form')!);
    release();
    expect(await screen.findByText('Assessment stored for Awa Diop')).toBeInTheDocument();
    const sent = net.callsTo('POST /api/v1/assessments/submit');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.headers.get('idempotency-key')).toMatch(/^[0-9a-f-]{36}$/);
    expect(await sent[0]!.json()).toMatchObject({
      respondent: { name: 'Awa Diop', phone: '+221700000001', sector: 'agri' },
      answers: [{ question_id: questions.questions[0]!.id, value: 'yes' }, { question_id: questions.questions[1]!.id, value: 4 }],
      channel: 'web',
    });
    expect(await listOutbox(user.id)).toEqual([]);
    expect(screen.getByLabelText('Full name')).toHaveValue('');
  });

  it('keeps the assessment on the device when the network is gone', async () => {
    const user = signIn(testUser('enumerator'));
    mockApi({
      'GET /api/v1/questions': () => questions,
      'GET /api/v1/sectors': () => sectors,
      'POST /api/v1/assessments/submit': () => {
        throw new TypeError('Failed to fetch');
      },
    });
    renderWithProviders(<AssessmentForm userId={user.id} />);
    await fillIn();
    await userEvent.click(screen.getByRole('button', { name: 'Finish assessment' }));
    expect(await screen.findByText('Saved on this device: Awa Diop')).toBeInTheDocument();
    const queued = await listOutbox(user.id);
    expect(queued).toHaveLength(1);
    expect(queued[0]!.key).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('marks what is missing and sends nothing', async () => {
    const user = signIn(testUser('enumerator'));
    const net = mockApi({ 'GET /api/v1/questions': () => questions, 'GET /api/v1/sectors': () => sectors });
    renderWithProviders(<AssessmentForm userId={user.id} />);
    await userEvent.click(await screen.findByRole('button', { name: 'Finish assessment' }));
    expect(screen.getByText(/things need attention/)).toBeInTheDocument();
    expect(screen.getByLabelText('Full name')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getAllByText('This question needs an answer.')).toHaveLength(2);
    await waitFor(async () => expect(await listOutbox(user.id)).toEqual([]));
    expect(net.callsTo('POST /api/v1/assessments/submit')).toHaveLength(0);
  });
});
