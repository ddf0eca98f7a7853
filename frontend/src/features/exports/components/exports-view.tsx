import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';

import { Alert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardHeader } from '@/components/ui/card';
import { SelectField, TextField } from '@/components/ui/field';
import { EmptyState, QueryState } from '@/components/ui/states';
import { Table, Td, Th, Tr } from '@/components/ui/table';
import { describeError } from '@/lib/errors';
import { useRealtime, type RealtimeMessage } from '@/lib/realtime';
import { formatCount, formatDateTime, localInputToIso } from '@/utils/format';

import type { ExportJob, ExportKind } from '../api/contract';
import { useCreateExport } from '../api/create-export';
import { downloadExport } from '../api/download-export';
import { useExports } from '../api/get-exports';

import { ShareLinks } from './share-links';

const KIND_LABEL: Record<ExportKind, string> = { assessments: 'Assessments', answers: 'Answers', costs: 'Costs' };
const TONE = { pending: 'neutral', running: 'blue', ready: 'green', failed: 'red', expired: 'neutral' } as const;

export type Progress = Record<string, { done: number; total: number }>;

/** Folds an export.progress / export.ready push into the progress table. */
export function applyProgress(progress: Progress, message: RealtimeMessage): Progress {
  const id = typeof message.export_id === 'string' ? message.export_id : null;
  if (!id) return progress;
  if (message.type === 'export.progress' && typeof message.done === 'number' && typeof message.total === 'number') {
    return { ...progress, [id]: { done: message.done, total: message.total } };
  }
  if (message.type === 'export.ready') {
    const total = progress[id]?.total ?? 1;
    return { ...progress, [id]: { done: total, total } };
  }
  return progress;
}

function ProgressBar({ done, total }: { done: number; total: number }) {
  const ratio = total > 0 ? Math.min(1, done / total) : 0;
  return (
    <div className="w-40">
      <div role="progressbar" aria-label="Export progress" aria-valuemin={0} aria-valuemax={total} aria-valuenow={done}
        className="h-2 rounded-full bg-slate-100">
        <div className="h-2 rounded-full bg-brand-600 transition-all" style={{ width: `${ratio * 100}%` }} />
      </div>
      <p className="mt-1 text-xs tabular-nums text-slate-500">{formatCount(done)} / {formatCount(total)} rows</p>
    </div>
  );
}

function CreateExport({ kinds }: { kinds: ExportKind[] }) {
  const create = useCreateExport();
  const [kind, setKind] = useState<ExportKind>(kinds[0] ?? 'assessments');
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const filters: Record<string, string> = {};
    const since = localInputToIso(String(form.get('since') ?? ''));
    const until = localInputToIso(String(form.get('until') ?? ''));
    if (since) filters[kind === 'costs' ? 'from' : 'since'] = since;
    if (until) filters[kind === 'costs' ? 'to' : 'until'] = until;
    create.mutate({ kind, filters });
  }
  return (
    <Card>
      <CardHeader title="New export" description="An xlsx workbook, made in the background; you can leave this page." />
      <form onSubmit={submit} className="grid gap-4 p-5 sm:grid-cols-2 lg:grid-cols-4 lg:items-end">
        <SelectField label="What" value={kind} onChange={(e) => setKind(e.target.value as ExportKind)}>
          {kinds.map((k) => <option key={k} value={k}>{KIND_LABEL[k]}</option>)}
        </SelectField>
        <TextField label="From" name="since" type="datetime-local" />
        <TextField label="Until" name="until" type="datetime-local" />
        <Button type="submit" loading={create.isPending}>Start export</Button>
      </form>
      {create.error && <Alert tone="error" className="mx-5 mb-5">{describeError(create.error)}</Alert>}
    </Card>
  );
}

function ExportRow({ job, progress, open, onToggle }: { job: ExportJob; progress?: { done: number; total: number }; open: boolean; onToggle: () => void }) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const running = job.status === 'pending' || job.status === 'running';
  return (
    <>
      <Tr>
        <Td className="font-medium">{KIND_LABEL[job.kind] ?? job.kind}</Td>
        <Td><Badge tone={TONE[job.status] ?? 'neutral'}>{job.status}</Badge></Td>
        <Td>
          {running ? <ProgressBar done={progress?.done ?? job.rows ?? 0} total={progress?.total ?? job.rows_total ?? 0} />
            : job.rows !== undefined && job.rows !== null ? `${formatCount(job.rows)} rows` : '—'}
        </Td>
        <Td>{formatDateTime(job.created_at)}</Td>
        <Td className="text-right">
          {job.status === 'ready' && (
            <div className="flex justify-end gap-2">
              <Button size="sm" loading={busy} onClick={() => {
                setBusy(true);
                setError(null);
                downloadExport(job.id).catch(setError).finally(() => setBusy(false));
              }}>Download</Button>
              <Button size="sm" variant="secondary" aria-expanded={open} onClick={onToggle}>Share links</Button>
            </div>
          )}
          {error !== null && <p className="mt-1 text-xs text-red-600">{describeError(error)}</p>}
        </Td>
      </Tr>
      {open && (
        <tr><td colSpan={5} className="bg-slate-50 p-4"><ShareLinks exportId={job.id} /></td></tr>
      )}
    </>
  );
}

export function ExportsView({ kinds }: { kinds: ExportKind[] }) {
  const query = useExports();
  const client = useQueryClient();
  const [progress, setProgress] = useState<Progress>({});
  const [open, setOpen] = useState<string | null>(null);
  useRealtime(['exports'], (message) => {
    if (!message.type.startsWith('export.')) return;
    setProgress((p) => applyProgress(p, message));
    if (message.type === 'export.ready') void client.invalidateQueries({ queryKey: ['exports', 'list'] });
  }, () => void client.invalidateQueries({ queryKey: ['exports', 'list'] }));

  return (
    <div className="space-y-6">
      <CreateExport kinds={kinds} />
      <Card>
        <CardHeader title="Your exports" description="Files are kept 30 days." />
        <QueryState query={query} isEmpty={(d) => d.items.length === 0} empty={<EmptyState title="No exports yet" />}>
          {(data) => (
            <Table caption="Exports">
              <thead><tr><Th>Kind</Th><Th>Status</Th><Th>Rows</Th><Th>Created</Th><Th><span className="sr-only">Actions</span></Th></tr></thead>
              <tbody className="divide-y divide-slate-100">
                {data.items.map((job) => (
                  <ExportRow key={job.id} job={job} progress={progress[job.id]} open={open === job.id}
                    onToggle={() => setOpen((o) => (o === job.id ? null : job.id))} />
                ))}
              </tbody>
            </Table>
          )}
        </QueryState>
      </Card>
    </div>
  );
}
