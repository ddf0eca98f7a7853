import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';

import { json, mockApi } from '@/testing/mock-api';
import { renderWithProviders, signIn } from '@/testing/render';

import { XLSX } from '../api/import-questionnaire';

import { ImportForm } from './import-form';

describe('importing a workbook', () => {
  it('lists every problem by sheet, row and column, and says nothing was stored', async () => {
    signIn();
    const net = mockApi({
      'POST /api/v1/questionnaires/import': () => json({ error: { code: 'validation_failed', message: 'The questionnaire is invalid.', details: [
        { loc: ['sheet', 'questions', 'row', 7, 'type'], path: 'questions!7.type', message: 'unknown question type "yesno"', type: 'value_error' },
        { loc: ['sheet', 'options', 'row', 3], path: 'options!3', message: 'option of an unknown question', type: 'value_error' },
      ] } }, 422),
    });
    renderWithProviders(<ImportForm onImported={() => {}} />);
    const file = new File([new Uint8Array([80, 75, 3, 4])], 'survey.xlsx', { type: XLSX });
    await userEvent.upload(screen.getByLabelText('File'), file);
    await userEvent.click(screen.getByLabelText('Publish at once'));
    await userEvent.click(screen.getByRole('button', { name: 'Import' }));
    expect(await screen.findByText('2 problems in the file; nothing was stored')).toBeInTheDocument();
    const rows = screen.getAllByRole('row').slice(1).map((r) => r.textContent);
    expect(rows).toEqual(['questions7typeunknown question type "yesno"', 'options3—option of an unknown question']);
    const sent = net.callsTo('POST /api/v1/questionnaires/import')[0]!;
    expect(sent.headers.get('content-type')).toBe(XLSX);
    expect(new URL(sent.url).searchParams.get('publish')).toBe('true');
    expect(new Uint8Array(await sent.arrayBuffer())).toEqual(new Uint8Array([80, 75, 3, 4]));
  });

  it('reports the new version', async () => {
    signIn();
    mockApi({ 'POST /api/v1/questionnaires/import': () => json({ questionnaire_id: 'q', version_id: 'v', version: 2, status: 'draft', skills: 3, questions: 12 }, 201) });
    const imported = vi.fn();
    renderWithProviders(<ImportForm onImported={imported} />);
    await userEvent.upload(screen.getByLabelText('File'), new File(['{}'], 'q.json', { type: 'application/json' }));
    await userEvent.click(screen.getByRole('button', { name: 'Import' }));
    await waitFor(() => expect(imported).toHaveBeenCalledWith(expect.objectContaining({ version: 2 }), expect.anything(), undefined, expect.anything()));
  });
});
