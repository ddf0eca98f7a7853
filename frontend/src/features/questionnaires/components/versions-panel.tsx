import { Link, useNavigate } from 'react-router';

import { Alert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardHeader } from '@/components/ui/card';
import { PageHeader } from '@/components/ui/page';
import { QueryState } from '@/components/ui/states';
import { Table, Td, Th, Tr } from '@/components/ui/table';
import { describeError } from '@/lib/errors';
import { formatDateTime } from '@/utils/format';

import { useQuestionnaire } from '../api/get-questionnaire';
import { useNewDraft } from '../api/new-draft';
import { usePublishVersion } from '../api/publish-version';

/** A questionnaire's versions: open one, publish the draft, or start a new draft from a published one. */
export function VersionsPanel({ questionnaireId, canWrite }: { questionnaireId: string; canWrite: boolean }) {
  const query = useQuestionnaire(questionnaireId);
  const navigate = useNavigate();
  const publish = usePublishVersion();
  const draft = useNewDraft({
    onSuccess: (result) => navigate(`/questionnaires/${questionnaireId}/versions/${result.version}`),
  });
  const error = publish.error ?? draft.error;
  return (
    <QueryState query={query}>
      {(q) => {
        const versions = [...q.versions].sort((a, b) => b.version - a.version);
        const hasDraft = versions.some((v) => v.status === 'draft');
        return (
          <>
            <PageHeader title={versions[0]?.title_en ?? q.code} description={<span className="font-mono">{q.code}</span>} />
            {error && <Alert tone="error" className="mb-4">{describeError(error)}</Alert>}
            <Card>
              <CardHeader title="Versions" description="Respondents always take the newest published version." />
              <Table caption="Versions">
                <thead><tr><Th>Version</Th><Th>Title</Th><Th>Status</Th><Th className="text-right">Questions</Th><Th>Published</Th><Th><span className="sr-only">Actions</span></Th></tr></thead>
                <tbody className="divide-y divide-slate-100">
                  {versions.map((v) => (
                    <Tr key={v.id}>
                      <Td><Link className="font-medium text-brand-700 hover:underline" to={`/questionnaires/${q.id}/versions/${v.version}`}>v{v.version}</Link></Td>
                      <Td>{v.title_en}</Td>
                      <Td><Badge tone={v.status === 'draft' ? 'amber' : 'green'}>{v.status}</Badge></Td>
                      <Td className="text-right tabular-nums">{v.questions}</Td>
                      <Td>{formatDateTime(v.published_at)}</Td>
                      <Td className="text-right">
                        {canWrite && v.status === 'draft' && (
                          <Button size="sm" loading={publish.isPending}
                            onClick={() => publish.mutate({ questionnaireId: q.id, versionId: v.id })}>Publish</Button>
                        )}
                        {canWrite && v.status === 'published' && !hasDraft && (
                          <Button size="sm" variant="secondary" loading={draft.isPending}
                            onClick={() => draft.mutate({ questionnaireId: q.id, versionId: v.id })}>New draft from this</Button>
                        )}
                      </Td>
                    </Tr>
                  ))}
                </tbody>
              </Table>
            </Card>
          </>
        );
      }}
    </QueryState>
  );
}
