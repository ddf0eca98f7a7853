import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardHeader } from '@/components/ui/card';
import { useOnline } from '@/hooks/use-online';
import { formatDateTime } from '@/utils/format';

import { discard, retry } from '../api/outbox';
import { useOutbox } from '../hooks/use-outbox';

/** What waits on this device, what failed and why, and what was sent lately. */
export function OutboxQueue({ userId, onSync, syncing }: { userId: string; onSync: () => void; syncing: boolean }) {
  const { queue, sent } = useOutbox(userId);
  const online = useOnline();
  const items = queue.data ?? [];
  const pending = items.filter((i) => i.state === 'pending').length;

  return (
    <Card>
      <CardHeader
        title="On this device"
        description={items.length ? `${pending} waiting to be sent` : 'Nothing waiting: every finished assessment was sent.'}
        actions={
          <Button variant="secondary" size="sm" onClick={onSync} loading={syncing} disabled={!online || pending === 0}>
            Send now
          </Button>
        }
      />
      <ul aria-label="Queued assessments" className="divide-y divide-slate-100">
        {items.map((item) => (
          <li key={item.key} className="flex flex-wrap items-center gap-3 px-5 py-3 text-sm">
            <div className="min-w-0 flex-1">
              <p className="truncate font-medium text-slate-900">{item.respondentName}</p>
              <p className="text-xs text-slate-500">
                Finished {formatDateTime(item.createdAt)}
                {item.lastError && ` · ${item.lastError}`}
              </p>
            </div>
            {item.state === 'failed' ? (
              <>
                <Badge tone="red">Refused</Badge>
                <Button size="sm" variant="ghost" onClick={() => void retry(item.key)}>Retry</Button>
                <Button size="sm" variant="ghost" onClick={() => void discard(item.key)}>Discard</Button>
              </>
            ) : (
              <Badge tone="amber">{online ? 'Sending soon' : 'Waiting for connection'}</Badge>
            )}
          </li>
        ))}
      </ul>
      {!!sent.data?.length && (
        <div className="border-t border-slate-100 px-5 py-3">
          <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-500">Sent lately</h3>
          <ul aria-label="Sent assessments" className="mt-2 space-y-1 text-sm">
            {sent.data.slice(0, 5).map((s) => (
              <li key={s.key} className="flex justify-between gap-3">
                <span className="truncate">{s.respondentName}</span>
                <span className="shrink-0 text-slate-500">{formatDateTime(s.sentAt)}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </Card>
  );
}
