import { useState, type FormEvent } from 'react';

import { Alert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { SelectField, TextField } from '@/components/ui/field';
import { QueryState } from '@/components/ui/states';
import { describeError } from '@/lib/errors';
import { formatDateTime } from '@/utils/format';

import { useCreateLink } from '../api/create-link';
import { useLinks } from '../api/get-links';
import { useRevokeLink } from '../api/revoke-link';

const EXPIRY = [
  { seconds: 3600, label: '1 hour' },
  { seconds: 86_400, label: '1 day' },
  { seconds: 3 * 86_400, label: '3 days' },
  { seconds: 7 * 86_400, label: '7 days (longest)' },
];

/** Signed links for people without an account: expiry, download counts, revoke. */
export function ShareLinks({ exportId }: { exportId: string }) {
  const links = useLinks(exportId);
  const create = useCreateLink();
  const revoke = useRevokeLink();
  const [copied, setCopied] = useState(false);
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const max = String(form.get('max') ?? '');
    setCopied(false);
    create.mutate({ exportId, expiresIn: Number(form.get('expires')), maxDownloads: max ? Number(max) : null });
  }
  return (
    <div className="space-y-4">
      <form onSubmit={submit} className="grid gap-3 sm:grid-cols-[12rem_10rem_auto] sm:items-end">
        <SelectField label="Expires after" name="expires" defaultValue={86_400}>
          {EXPIRY.map((e) => <option key={e.seconds} value={e.seconds}>{e.label}</option>)}
        </SelectField>
        <TextField label="Most downloads" name="max" type="number" min={1} placeholder="No limit" />
        <Button type="submit" loading={create.isPending}>Create link</Button>
      </form>
      {create.error && <Alert tone="error">{describeError(create.error)}</Alert>}
      {create.data?.url && (
        <div className="flex flex-wrap gap-2 rounded-lg bg-emerald-50 p-3 ring-1 ring-emerald-200">
          <input readOnly value={create.data.url} aria-label="New share link (shown once)" className="min-w-0 flex-1 rounded bg-white px-2 py-1 font-mono text-xs" />
          <Button size="sm" variant="secondary" onClick={() => navigator.clipboard?.writeText(create.data?.url ?? '').then(() => setCopied(true))}>
            {copied ? 'Copied' : 'Copy'}
          </Button>
        </div>
      )}
      <QueryState query={links} isEmpty={(d) => d.items.length === 0} empty={<p className="text-sm text-slate-500">No links yet.</p>}>
        {(data) => (
          <ul className="divide-y divide-slate-200 rounded-lg bg-white ring-1 ring-slate-200" aria-label="Share links">
            {data.items.map((l) => {
              const expired = new Date(l.expires_at).getTime() < Date.now();
              const used = l.max_downloads !== null && l.downloads >= l.max_downloads;
              return (
                <li key={l.id} className="flex flex-wrap items-center gap-3 px-3 py-2 text-sm">
                  <span className="flex-1">Expires {formatDateTime(l.expires_at)} · {l.downloads}{l.max_downloads ? ` of ${l.max_downloads}` : ''} downloads</span>
                  {l.revoked_at ? <Badge tone="red">Revoked</Badge> : expired ? <Badge>Expired</Badge> : used ? <Badge>Used up</Badge> : (
                    <Button size="sm" variant="ghost" loading={revoke.isPending && revoke.variables?.linkId === l.id}
                      onClick={() => revoke.mutate({ exportId, linkId: l.id })}>Revoke</Button>
                  )}
                </li>
              );
            })}
          </ul>
        )}
      </QueryState>
    </div>
  );
}
