import { useRef, useState, type FormEvent } from 'react';

import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Card, CardHeader } from '@/components/ui/card';
import { Table, Td, Th, Tr } from '@/components/ui/table';
import { describeError, fieldProblems, type FieldProblem } from '@/lib/errors';
import type { ImportResult } from '@/types/api';

import { useImportQuestionnaire } from '../api/import-questionnaire';

/** Where an import problem is, as an author looks for it: sheet, Excel row, column (or the JSON path). */
export function locate(problem: FieldProblem): { sheet: string; row: string; column: string } {
  const loc = problem.loc;
  if (loc[0] === 'sheet') {
    return { sheet: String(loc[1] ?? ''), row: loc[3] !== undefined ? String(loc[3]) : '—', column: loc[4] !== undefined ? String(loc[4]) : '—' };
  }
  return { sheet: '—', row: '—', column: problem.path ?? loc.join('.') };
}

export function ImportForm({ onImported }: { onImported: (result: ImportResult) => void }) {
  const input = useRef<HTMLInputElement>(null);
  const [publish, setPublish] = useState(false);
  const [file, setFile] = useState<File | null>(null);
  const importing = useImportQuestionnaire({ onSuccess: onImported });
  const problems = fieldProblems(importing.error);

  function submit(event: FormEvent) {
    event.preventDefault();
    if (file) importing.mutate({ file, publish });
  }

  return (
    <Card>
      <CardHeader title="Import a questionnaire"
        description="An xlsx workbook (sheets questionnaire, skills, questions, options, rubric_bands, recommendations) or a JSON definition. It becomes a new draft version." />
      <form onSubmit={submit} className="flex flex-wrap items-end gap-4 p-5">
        <div className="min-w-64 flex-1">
          <label htmlFor="import-file" className="block text-sm font-medium text-slate-700">File</label>
          <input id="import-file" ref={input} type="file" accept=".xlsx,.json,application/json"
            onChange={(e) => { setFile(e.target.files?.[0] ?? null); importing.reset(); }}
            className="mt-1.5 block w-full text-sm text-slate-700 file:mr-3 file:rounded-lg file:border-0 file:bg-slate-100 file:px-3 file:py-2 file:text-sm file:font-medium hover:file:bg-slate-200" />
        </div>
        <label className="flex items-center gap-2 text-sm text-slate-700">
          <input type="checkbox" checked={publish} onChange={(e) => setPublish(e.target.checked)} className="size-4 accent-brand-700" />
          Publish at once
        </label>
        <Button type="submit" disabled={!file} loading={importing.isPending}>Import</Button>
      </form>
      {importing.isSuccess && (
        <Alert tone="success" className="mx-5 mb-5" title="Imported">
          Version {importing.data.version} with {importing.data.questions} questions and {importing.data.skills} skills, {importing.data.status}.
        </Alert>
      )}
      {importing.error && (
        <div className="px-5 pb-5">
          <Alert tone="error" title={problems.length ? `${problems.length} problem${problems.length > 1 ? 's' : ''} in the file; nothing was stored` : undefined}>
            {problems.length ? 'Fix every row below and import again.' : describeError(importing.error)}
          </Alert>
          {problems.length > 0 && (
            <Table caption="Problems found in the file" className="mt-3 rounded-lg ring-1 ring-slate-200">
              <thead><tr><Th>Sheet</Th><Th>Row</Th><Th>Column</Th><Th>Problem</Th></tr></thead>
              <tbody className="divide-y divide-slate-100">
                {problems.map((p, i) => {
                  const at = locate(p);
                  return (
                    <Tr key={i}>
                      <Td className="font-medium">{at.sheet}</Td><Td className="tabular-nums">{at.row}</Td><Td>{at.column}</Td>
                      <Td className="whitespace-normal text-red-700">{p.message}</Td>
                    </Tr>
                  );
                })}
              </tbody>
            </Table>
          )}
        </div>
      )}
    </Card>
  );
}
