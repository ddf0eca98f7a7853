import { PageHeader } from '@/components/ui/page';

export default function Route() {
  return <PageHeader title="assessment" />;
}
