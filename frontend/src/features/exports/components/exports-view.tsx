import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';

import { useSectors } from '@/api/get-sectors';
import { Alert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardHeader } from '@/components/ui/card';
import { SelectField, TextField } from '@/components/ui/field';
import { Pager } from '@/components/ui/pager';
import { EmptyState, QueryState } from '@/components/ui/states';
import { Table, Td, Th, Tr } from '@/components/ui/table';
import { useCursorPages } from '@/hooks/use-cursor-pages';
import { describeError } from '@/lib/errors';
import { useRealtime, type RealtimeMessage, type RealtimeStatus } from '@/lib/realtime';
import { formatBytes, formatCount, formatDateTime, localInputToIso } from '@/utils/format';

import { useCreateExport } from '../api/create-export';
import { downloadExport } from '../api/download-export';
import { useExports, type ExportKind, type ExportPublic } from '../api/get-exports';

import { ShareLinks } from './share-links';

const KIND_LABEL: Record<ExportKind, string> = { assessments: 'Assessments', answers: 'Answers', costs: 'Costs' };
const TONE = { pending: 'neutral', running: 'blue', ready: 'green', failed: 'red', expired: 'neutral' } as const;
const POLL_MS = 3000;

export type Progress = Record<string, { done: number; total: number }>;

/**
 * Folds an export's push (`export.progress`, `export.ready`, `export.failed`: `{export_id, done, total}`, sent
 * to the export's owner over the WebSocket) into the progress table.
 */
export function applyProgress(progress: Progress, message: RealtimeMessage): Progress {
  const id = typeof message.export_id === 'string' ? message.export_id : null;
  if (!id || !message.type.startsWith('export.')) return progress;
  const { done, total } = message;
  if (typeof done !== 'number' || typeof total !== 'number') return progress;
  const before = progress[id];
  if (before && before.done > done && message.type === 'export.progress') return progress; // a late, older push
  return { ...progress, [id]: { done, total } };
}

function ProgressBar({ done, total }: { done: number; total: number }) {
  const ratio = total > 0 ? Math.min(1, done / total) : 0;
  return (
    <div className="w-44">
      <div role="progressbar" aria-label="Export progress" aria-valuemin={0} aria-valuemax={total} aria-valuenow={done}
        aria-valuetext={total > 0 ? `${formatCount(done)} of ${formatCount(total)} rows` : 'Counting rows'}
        className="h-2 overflow-hidden rounded-full bg-slate-100">
        <div className="h-2 rounded-full bg-brand-600 transition-all" style={{ width: `${ratio * 100}%` }} />
      </div>
      <p className="mt-1 text-xs tabular-nums text-slate-500">
        {total > 0 ? `${formatCount(done)} / ${formatCount(total)} rows` : 'Counting rows…'}
      </p>
    </div>
  );
}

/** An export the API has just accepted, shown at once (pending, with its bar) until the list has it. */
function accepted(id: string, kind: ExportKind, filters: Record<string, unknown>): ExportPublic {
  return {
    id, kind, status: 'pending', filters, owner_id: '', filename: '', rows: 0, rows_total: null, bytes: null, sha256: null,
    error: null, created_at: new Date().toISOString(), started_at: null, finished_at: null, expires_at: null,
  };
}

function CreateExport({ kinds, onAccepted }: { kinds: ExportKind[]; onAccepted: (job: ExportPublic) => void }) {
  const create = useCreateExport({ onSuccess: (created, input) => onAccepted(accepted(created.export_id, input.kind, input.filters ?? {})) });
  const sectors = useSectors();
  const [kind, setKind] = useState<ExportKind>(kinds[0] ?? 'assessments');
  const costs = kind === 'costs';
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const filters: Record<string, string> = {};
    const put = (key: string, value: string | undefined) => {
      if (value) filters[key] = value;
    };
    put(costs ? 'from' : 'since', localInputToIso(String(form.get('since') ?? '')));
    put(costs ? 'to' : 'until', localInputToIso(String(form.get('until') ?? '')));
    if (!costs) {
      put('sector', String(form.get('sector') ?? ''));
      put('channel', String(form.get('channel') ?? ''));
    }
    create.mutate({ kind, filters });
  }
  return (
    <Card>
      <CardHeader title="New export" description="An Excel workbook, made in the background: you can leave this page and come back." />
      <form onSubmit={submit} className="grid gap-4 p-5 sm:grid-cols-2 lg:grid-cols-3 lg:items-end">
        <SelectField label="What" value={kind} onChange={(e) => setKind(e.target.value as ExportKind)}>
          {kinds.map((k) => <option key={k} value={k}>{KIND_LABEL[k]}</option>)}
        </SelectField>
        {!costs && (
          <>
            <SelectField label="Sector" name="sector" defaultValue="">
              <option value="">All sectors</option>
              {sectors.data?.items.map((s) => <option key={s.code} value={s.code}>{s.label}</option>)}
            </SelectField>
            <SelectField label="Channel" name="channel" defaultValue="">
              <option value="">Web and WhatsApp</option>
              <option value="web">Web</option>
              <option value="whatsapp">WhatsApp</option>
            </SelectField>
          </>
        )}
        <TextField label="From" name="since" type="datetime-local" />
        <TextField label="Until" name="until" type="datetime-local" />
        <Button type="submit" loading={create.isPending} className="lg:col-start-3 lg:justify-self-end">Start export</Button>
      </form>
      {create.error && <Alert tone="error" className="mx-5 mb-5">{describeError(create.error)}</Alert>}
      {create.isSuccess && <Alert tone="success" className="mx-5 mb-5">Export started: it shows below with its progress.</Alert>}
    </Card>
  );
}

function describeFilters(job: ExportPublic): string {
  const parts = Object.entries(job.filters).map(([k, v]) => `${k} ${/^(since|until|from|to)$/.test(k) ? formatDateTime(String(v)) : String(v)}`);
  return parts.length ? parts.join(' · ') : 'everything';
}

function ExportRow({ job, progress, open, onToggle }: {
  job: ExportPublic; progress?: { done: number; total: number }; open: boolean; onToggle: () => void;
}) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const running = job.status === 'pending' || job.status === 'running';
  return (
    <>
      <Tr>
        <Td>
          <p className="font-medium text-slate-900">{KIND_LABEL[job.kind] ?? job.kind}</p>
          <p className="max-w-xs truncate text-xs text-slate-500" title={describeFilters(job)}>{describeFilters(job)}</p>
        </Td>
        <Td><Badge tone={TONE[job.status] ?? 'neutral'}>{job.status}</Badge></Td>
        <Td>
          {running ? <ProgressBar done={progress?.done ?? job.rows ?? 0} total={progress?.total ?? job.rows_total ?? 0} />
            : job.status === 'failed' ? <span className="text-xs text-red-700">{job.error ?? 'failed'}</span>
              : <span className="tabular-nums">{formatCount(job.rows ?? 0)} rows · {formatBytes(job.bytes)}</span>}
        </Td>
        <Td>{formatDateTime(job.created_at)}</Td>
        <Td>{job.status === 'ready' ? formatDateTime(job.expires_at) : '—'}</Td>
        <Td className="text-right">
          {job.status === 'ready' && (
            <div className="flex justify-end gap-2">
              <Button size="sm" loading={busy} aria-label={`Download ${job.filename}`} onClick={() => {
                setBusy(true);
                setError(null);
                downloadExport(job.id).catch(setError).finally(() => setBusy(false));
              }}>Download</Button>
              <Button size="sm" variant="secondary" aria-expanded={open} onClick={onToggle}>Share links</Button>
            </div>
          )}
          {error !== null && <p role="alert" className="mt-1 text-xs text-red-600">{describeError(error)}</p>}
        </Td>
      </Tr>
      {open && (
        <tr><td colSpan={6} className="bg-slate-50 p-4"><ShareLinks exportId={job.id} filename={job.filename} /></td></tr>
      )}
    </>
  );
}

/**
 * Keeps the list current: pushes move progress bars at once and a finished export refetches the list; where
 * the WebSocket is not live, the list is polled while an export is under way.
 */
function useExportUpdates(): { progress: Progress; status: RealtimeStatus } {
  const client = useQueryClient();
  const [progress, setProgress] = useState<Progress>({});
  const status = useRealtime(['exports'], (message) => {
    if (!message.type.startsWith('export.')) return;
    setProgress((p) => applyProgress(p, message));
    if (message.type !== 'export.progress') void client.invalidateQueries({ queryKey: ['exports', 'list'] });
  }, () => void client.invalidateQueries({ queryKey: ['exports', 'list'] }));
  return { progress, status };
}

export function ExportsView({ kinds }: { kinds: ExportKind[] }) {
  const pages = useCursorPages('exports');
  const { progress, status } = useExportUpdates();
  // Without pushes, an export under way is looked at again every few seconds (one cheap GET each).
  const query = useExports(pages.cursor, status === 'live' ? false : POLL_MS);
  const [open, setOpen] = useState<string | null>(null);
  const [started, setStarted] = useState<ExportPublic[]>([]);

  return (
    <div className="space-y-6">
      <CreateExport kinds={kinds} onAccepted={(job) => setStarted((s) => [job, ...s])} />
      <Card>
        <CardHeader title="Your exports" description="Files are kept 30 days; download links last a few minutes, share links up to 7 days." />
        <QueryState query={query} isEmpty={(d) => d.items.length === 0 && started.length === 0}
          empty={<EmptyState title="No exports yet">Start one above.</EmptyState>}>
          {(data) => {
            const listed = new Set(data.items.map((j) => j.id));
            const items = [...(pages.page === 1 ? started.filter((j) => !listed.has(j.id)) : []), ...data.items];
            return (
              <>
                <Table caption="Exports">
                  <thead><tr><Th>Export</Th><Th>Status</Th><Th>Rows</Th><Th>Created</Th><Th>Kept until</Th><Th><span className="sr-only">Actions</span></Th></tr></thead>
                  <tbody className="divide-y divide-slate-100">
                    {items.map((job) => (
                      <ExportRow key={job.id} job={job} progress={progress[job.id]} open={open === job.id}
                        onToggle={() => setOpen((o) => (o === job.id ? null : job.id))} />
                    ))}
                  </tbody>
                </Table>
                {(pages.page > 1 || data.next_cursor) && (
                  <Pager page={pages.page} hasNext={!!data.next_cursor} busy={query.isFetching}
                    onNext={() => data.next_cursor && pages.next(data.next_cursor)} onPrevious={pages.previous} />
                )}
              </>
            );
          }}
        </QueryState>
      </Card>
    </div>
  );
}
