import { Link } from 'react-router';

import { EmptyState } from '@/components/ui/states';

export default function NotFoundRoute() {
  return (
    <EmptyState title="Page not found" action={<Link to="/" className="text-sm font-medium text-brand-700 hover:underline">Go to the start page</Link>}>
      The address may be mistyped, or the page has moved.
    </EmptyState>
  );
}
