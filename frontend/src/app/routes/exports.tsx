import { PageHeader } from '@/components/ui/page';
import { EmptyState } from '@/components/ui/states';
import type { ExportKind } from '@/features/exports/api/get-exports';
import { ExportsView } from '@/features/exports/components/exports-view';
import { useUser } from '@/lib/auth';
import { can } from '@/lib/authorization';

export default function ExportsRoute() {
  const user = useUser();
  const kinds: ExportKind[] = [
    ...(can(user?.role, 'exports.create') ? (['assessments', 'answers'] as const) : []),
    ...(can(user?.role, 'costs.export') ? (['costs'] as const) : []),
  ];
  return (
    <>
      <PageHeader title="Exports" description="Excel files of assessments, answers and costs, with links to share them." />
      {kinds.length ? <ExportsView kinds={kinds} /> : <EmptyState title="This page is not available to your role" />}
    </>
  );
}
