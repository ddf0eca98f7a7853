import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';

import { json, mockApi } from '@/testing/mock-api';
import { renderWithProviders, signIn } from '@/testing/render';

import { VersionEditor } from './version-editor';

const question = (lang: 'en' | 'fr') => ({
  id: '00000000-0000-4000-8000-000000000001', code: 'computer', skill: 'digital', type: 'single_choice',
  label: lang === 'en' ? 'Do you use a computer?' : 'Utilisez-vous un ordinateur ?', required: true, min: null, max: null,
  options: [{ code: 'yes', label: lang === 'en' ? 'Yes' : 'Oui', score: '2' }, { code: 'no', label: lang === 'en' ? 'No' : 'Non', score: '0' }],
  show_if: null, weight: '1.5',
});
const version = (lang: 'en' | 'fr') => ({
  questionnaire: { id: 'q1', version_id: '00000000-0000-4000-8000-0000000000v2', title: 'Skills baseline', version: 2, status: 'draft' },
  questions: [question(lang)],
});

describe('the draft editor', () => {
  it('adds a question in both languages with its options and scores', async () => {
    signIn();
    const net = mockApi({
      'GET /api/v1/questions': (r) => version(new URL(r.url).searchParams.get('lang') as 'en' | 'fr'),
      'GET /api/v1/questionnaires/q1': () => ({ id: 'q1', code: 'skills-baseline', created_at: '2026-11-01T00:00:00Z', versions: [] }),
      'POST /api/v1/questions': () => json(question('en'), 201),
    });
    renderWithProviders(<VersionEditor questionnaireId="q1" version={2} canWrite />);
    await userEvent.click(await screen.findByRole('button', { name: 'Add question' }));
    const form = screen.getByRole('form', { name: 'New question' });
    const f = within(form);
    await userEvent.type(f.getByLabelText(/^Code/), 'phone');
    await userEvent.type(f.getByLabelText('Question (English)'), 'Do you own a phone?');
    await userEvent.type(f.getByLabelText('Question (French)'), 'Avez-vous un téléphone ?');
    await userEvent.type(f.getByLabelText('Option 1 code'), 'yes');
    await userEvent.type(f.getAllByLabelText('Label (English)')[0]!, 'Yes');
    await userEvent.type(f.getAllByLabelText('Label (French)')[0]!, 'Oui');
    await userEvent.clear(f.getByLabelText('Score'));
    await userEvent.type(f.getByLabelText('Score'), '1');
    await userEvent.click(f.getByRole('button', { name: 'Add question' }));
    await waitFor(() => expect(net.callsTo('POST /api/v1/questions')).toHaveLength(1));
    expect(await net.callsTo('POST /api/v1/questions')[0]!.json()).toEqual({
      version_id: '00000000-0000-4000-8000-0000000000v2',
      question: {
        code: 'phone', skill: 'digital', type: 'single_choice', label: { en: 'Do you own a phone?', fr: 'Avez-vous un téléphone ?' },
        required: true, weight: '1', min: null, max: null,
        options: [{ code: 'yes', label: { en: 'Yes', fr: 'Oui' }, score: '1' }], show_if: null,
      },
    });
  });

  it('edits a question with its weight and option scores, so saving it unchanged keeps them', async () => {
    signIn();
    const net = mockApi({
      'GET /api/v1/questions': (r) => version(new URL(r.url).searchParams.get('lang') as 'en' | 'fr'),
      'GET /api/v1/questionnaires/q1': () => ({ id: 'q1', code: 'skills-baseline', created_at: '2026-11-01T00:00:00Z', versions: [] }),
      'PATCH /api/v1/questions/00000000-0000-4000-8000-000000000001': () => question('en'),
    });
    renderWithProviders(<VersionEditor questionnaireId="q1" version={2} canWrite />);
    expect(await screen.findByText('weight 1.5')).toBeInTheDocument();
    expect(screen.getByText('Yes (2) · No (0)')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Edit' }));
    const f = within(screen.getByRole('form', { name: 'Edit question' }));
    expect(f.getByLabelText('Weight')).toHaveValue(1.5);
    expect(f.getAllByLabelText('Score').map((e) => (e as HTMLInputElement).value)).toEqual(['2', '0']);
    await userEvent.click(f.getByRole('button', { name: 'Save question' }));
    await waitFor(() => expect(net.callsTo('PATCH /api/v1/questions/00000000-0000-4000-8000-000000000001')).toHaveLength(1));
    expect(await net.callsTo('PATCH /api/v1/questions/00000000-0000-4000-8000-000000000001')[0]!.json()).toEqual({
      code: 'computer', skill: 'digital', type: 'single_choice', label: { en: 'Do you use a computer?', fr: 'Utilisez-vous un ordinateur ?' },
      required: true, weight: '1.5', min: null, max: null, show_if: null,
      options: [{ code: 'yes', label: { en: 'Yes', fr: 'Oui' }, score: '2' }, { code: 'no', label: { en: 'No', fr: 'Non' }, score: '0' }],
    });
  });

  it('shows a published version read-only', async () => {
    signIn();
    mockApi({
      'GET /api/v1/questions': (r) => ({ ...version(new URL(r.url).searchParams.get('lang') as 'en' | 'fr'), questionnaire: { ...version('en').questionnaire, status: 'published' } }),
      'GET /api/v1/questionnaires/q1': () => ({ id: 'q1', code: 'skills-baseline', created_at: '2026-11-01T00:00:00Z', versions: [] }),
    });
    renderWithProviders(<VersionEditor questionnaireId="q1" version={2} canWrite />);
    expect(await screen.findByText('Do you use a computer?')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Add question' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Edit' })).toBeNull();
  });
});
