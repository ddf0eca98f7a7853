import { Button } from './button';

export function Pager({ page, hasNext, onNext, onPrevious, busy }: {
  page: number;
  hasNext: boolean;
  onNext: () => void;
  onPrevious: () => void;
  busy?: boolean;
}) {
  return (
    <nav aria-label="Pages" className="flex items-center justify-between border-t border-slate-100 px-4 py-3 text-sm">
      <span className="text-slate-500">Page {page}</span>
      <div className="flex gap-2">
        <Button variant="secondary" size="sm" onClick={onPrevious} disabled={page <= 1 || busy}>Previous</Button>
        <Button variant="secondary" size="sm" onClick={onNext} disabled={!hasNext || busy}>Next</Button>
      </div>
    </nav>
  );
}
