import type { RealtimeStatus } from '@/lib/realtime';
import { cn } from '@/utils/cn';

const LABELS: Record<RealtimeStatus, string> = {
  live: 'Live',
  connecting: 'Connecting…',
  offline: 'Offline: reconnecting',
  unavailable: 'Live updates unavailable',
};

export function LiveIndicator({ status }: { status: RealtimeStatus }) {
  return (
    <span role="status" aria-live="polite" data-status={status}
      className={cn('inline-flex items-center gap-2 rounded-full px-3 py-1 text-xs font-medium ring-1 ring-inset',
        status === 'live' ? 'bg-emerald-50 text-emerald-700 ring-emerald-200' : status === 'connecting' || status === 'unavailable' ? 'bg-slate-50 text-slate-600 ring-slate-200' : 'bg-amber-50 text-amber-800 ring-amber-200')}>
      <span className={cn('size-2 rounded-full', status === 'live' ? 'animate-pulse bg-emerald-500' : status === 'connecting' || status === 'unavailable' ? 'bg-slate-400' : 'bg-amber-500')} aria-hidden />
      {LABELS[status]}
    </span>
  );
}
