import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect } from 'react';

import { useOnline } from '@/hooks/use-online';

import { listOutbox, listSent, outboxEvents, syncOutbox } from '../api/outbox';

const RETRY_MS = 30_000;

/** The queue of this user's finished assessments on this device, kept fresh across tabs. */
export function useOutbox(userId: string | undefined) {
  const client = useQueryClient();
  useEffect(() => {
    const refresh = () => void client.invalidateQueries({ queryKey: ['outbox'] });
    outboxEvents.addEventListener('change', refresh);
    return () => outboxEvents.removeEventListener('change', refresh);
  }, [client]);
  const queue = useQuery({
    queryKey: ['outbox', 'queue', userId],
    queryFn: () => listOutbox(userId ?? ''),
    enabled: !!userId,
    networkMode: 'always',
    staleTime: Infinity,
  });
  const sent = useQuery({
    queryKey: ['outbox', 'sent', userId],
    queryFn: () => listSent(userId ?? ''),
    enabled: !!userId,
    networkMode: 'always',
    staleTime: Infinity,
  });
  return { queue, sent };
}

/**
 * Sends the queue when the app starts, when the connection returns, and every 30 s while anything waits.
 * Mounted once, in the signed-in frame.
 */
export function useOutboxSync(userId: string | undefined) {
  const online = useOnline();
  const client = useQueryClient();
  const { queue } = useOutbox(userId);
  const pending = queue.data?.filter((i) => i.state === 'pending').length ?? 0;

  const sync = useCallback(async () => {
    if (!userId) return;
    const report = await syncOutbox(userId).catch(() => null);
    if (report?.sent) {
      void client.invalidateQueries({ queryKey: ['assessments'] });
      void client.invalidateQueries({ queryKey: ['respondents'] });
    }
  }, [userId, client]);

  useEffect(() => {
    if (online && pending > 0) void sync();
  }, [online, pending, sync]);

  useEffect(() => {
    if (!online || pending === 0) return;
    const timer = window.setInterval(() => void sync(), RETRY_MS);
    return () => window.clearInterval(timer);
  }, [online, pending, sync]);

  return { pending, sync };
}
