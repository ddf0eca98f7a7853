import { useRouteError } from 'react-router';

import { Button } from '@/components/ui/button';

/** What a page that crashed shows instead of a blank screen: what happened, and a way on. */
export function RouteError() {
  const error = useRouteError();
  console.error(error);
  return (
    <div role="alert" className="mx-auto flex min-h-full max-w-md flex-col items-center justify-center px-6 py-16 text-center">
      <h1 className="text-lg font-semibold text-slate-900">Something went wrong on this page</h1>
      <p className="mt-2 text-sm text-slate-500">Reloading usually helps. Work you finished is kept on this device.</p>
      <div className="mt-6 flex gap-3">
        <Button onClick={() => window.location.reload()}>Reload</Button>
        <Button variant="secondary" onClick={() => window.location.assign('/')}>Start page</Button>
      </div>
    </div>
  );
}
