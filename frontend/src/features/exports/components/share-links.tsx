import { useState, type FormEvent } from 'react';

import { Alert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { SelectField, TextField } from '@/components/ui/field';
import { QueryState } from '@/components/ui/states';
import { describeError } from '@/lib/errors';
import { formatCount, formatDateTime } from '@/utils/format';

import { useCreateLink } from '../api/create-link';
import { useLinks, type LinkPublic } from '../api/get-links';
import { useRevokeLink } from '../api/revoke-link';

const EXPIRY = [
  { seconds: 3600, label: '1 hour' },
  { seconds: 86_400, label: '1 day' },
  { seconds: 3 * 86_400, label: '3 days' },
  { seconds: 7 * 86_400, label: '7 days (longest)' },
];
const STATUS: Record<LinkPublic['status'], { label: string; tone: 'green' | 'neutral' | 'red' | 'amber' }> = {
  active: { label: 'Active', tone: 'green' },
  expired: { label: 'Expired', tone: 'neutral' },
  revoked: { label: 'Revoked', tone: 'red' },
  used_up: { label: 'Used up', tone: 'amber' },
};

/** Signed links for people without an account: expiry, download counts, revoke. */
export function ShareLinks({ exportId, filename }: { exportId: string; filename: string }) {
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
    <section className="space-y-4" aria-label={`Share links of ${filename}`}>
      <form onSubmit={submit} className="grid gap-3 sm:grid-cols-[12rem_10rem_auto] sm:items-end">
        <SelectField label="Expires after" name="expires" defaultValue={86_400}>
          {EXPIRY.map((e) => <option key={e.seconds} value={e.seconds}>{e.label}</option>)}
        </SelectField>
        <TextField label="Most downloads" name="max" type="number" min={1} placeholder="No limit" />
        <Button type="submit" loading={create.isPending} className="sm:justify-self-start">Create link</Button>
      </form>
      {create.error && <Alert tone="error">{describeError(create.error)}</Alert>}
      {create.data?.url && (
        <div className="space-y-2 rounded-lg bg-emerald-50 p-3 ring-1 ring-emerald-200">
          <p className="text-xs text-emerald-900">Copy it now: the link is shown this once. It works until {formatDateTime(create.data.expires_at)}.</p>
          <div className="flex flex-wrap gap-2">
            <input readOnly value={create.data.url} aria-label="New share link (shown once)" onFocus={(e) => e.currentTarget.select()}
              className="min-w-0 flex-1 rounded bg-white px-2 py-1 font-mono text-xs ring-1 ring-emerald-200" />
            <Button size="sm" variant="secondary" onClick={() => navigator.clipboard?.writeText(create.data?.url ?? '').then(() => setCopied(true))}>
              {copied ? 'Copied' : 'Copy'}
            </Button>
          </div>
        </div>
      )}
      <QueryState query={links} isEmpty={(d) => d.items.length === 0} empty={<p className="text-sm text-slate-500">No links yet.</p>}>
        {(data) => (
          <ul className="divide-y divide-slate-200 rounded-lg bg-white ring-1 ring-slate-200" aria-label="Share links">
            {data.items.map((l) => (
              <li key={l.id} className="flex flex-wrap items-center gap-3 px-3 py-2 text-sm">
                <Badge tone={STATUS[l.status].tone}>{STATUS[l.status].label}</Badge>
                <span className="flex-1 text-slate-700">
                  <span className="tabular-nums">{formatCount(l.downloads)}{l.max_downloads ? ` of ${formatCount(l.max_downloads)}` : ''}</span> downloads
                  {' · '}{l.status === 'revoked' ? `revoked ${formatDateTime(l.revoked_at)}` : `expires ${formatDateTime(l.expires_at)}`}
                  {l.last_download_at && <span className="text-slate-500"> · last {formatDateTime(l.last_download_at)}</span>}
                </span>
                {l.status === 'active' && (
                  <Button size="sm" variant="ghost" loading={revoke.isPending && revoke.variables?.linkId === l.id}
                    onClick={() => revoke.mutate({ exportId, linkId: l.id })}>Revoke</Button>
                )}
              </li>
            ))}
          </ul>
        )}
      </QueryState>
      {revoke.error && <Alert tone="error">{describeError(revoke.error)}</Alert>}
    </section>
  );
}
