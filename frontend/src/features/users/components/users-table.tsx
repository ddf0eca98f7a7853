import { useState } from 'react';

import { Alert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardHeader } from '@/components/ui/card';
import { Pager } from '@/components/ui/pager';
import { QueryState } from '@/components/ui/states';
import { Table, Td, Th, Tr } from '@/components/ui/table';
import { useCursorPages } from '@/hooks/use-cursor-pages';
import { describeError } from '@/lib/errors';
import type { Role } from '@/types/api';
import { formatDate } from '@/utils/format';

import { useUsers } from '../api/get-users';
import { useUpdateUser } from '../api/update-user';

import { ROLES } from './invite-form';

export function UsersTable({ currentUserId }: { currentUserId: string }) {
  const pages = useCursorPages('users');
  const query = useUsers(pages.cursor);
  const update = useUpdateUser();
  const [busyId, setBusyId] = useState<string | null>(null);
  const change = (userId: string, changes: { role?: Role; disabled?: boolean }) => {
    setBusyId(userId);
    update.mutate({ userId, changes }, { onSettled: () => setBusyId(null) });
  };
  return (
    <Card>
      <CardHeader title="Accounts" />
      {update.error && <Alert tone="error" className="m-4">{describeError(update.error)}</Alert>}
      <QueryState query={query}>
        {(data) => (
          <>
            <Table caption="Users">
              <thead><tr><Th>Name</Th><Th>Role</Th><Th>2FA</Th><Th>Status</Th><Th>Since</Th><Th><span className="sr-only">Actions</span></Th></tr></thead>
              <tbody className="divide-y divide-slate-100">
                {data.items.map((u) => (
                  <Tr key={u.id}>
                    <Td>
                      <p className="font-medium text-slate-900">{u.full_name || u.email}</p>
                      <p className="text-xs text-slate-500">{u.email}</p>
                    </Td>
                    <Td>
                      <label className="sr-only" htmlFor={`role-${u.id}`}>Role of {u.email}</label>
                      <select id={`role-${u.id}`} value={u.role} disabled={busyId === u.id || u.id === currentUserId}
                        onChange={(e) => change(u.id, { role: e.target.value as Role })}
                        className="rounded-lg border-0 py-1.5 pl-2 pr-8 text-sm ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-brand-600">
                        {ROLES.map((r) => <option key={r.value} value={r.value}>{r.label}</option>)}
                      </select>
                    </Td>
                    <Td>{u.two_factor_enabled ? <Badge tone="green">On</Badge> : <Badge tone="amber">Off</Badge>}</Td>
                    <Td>{u.disabled ? <Badge tone="red">Disabled</Badge> : <Badge tone="green">Active</Badge>}</Td>
                    <Td>{formatDate(u.created_at)}</Td>
                    <Td className="text-right">
                      {u.id !== currentUserId && (
                        <Button size="sm" variant={u.disabled ? 'secondary' : 'ghost'} loading={busyId === u.id}
                          onClick={() => change(u.id, { disabled: !u.disabled })}>
                          {u.disabled ? 'Enable' : 'Disable'}
                        </Button>
                      )}
                    </Td>
                  </Tr>
                ))}
              </tbody>
            </Table>
            <Pager page={pages.page} hasNext={!!data.next_cursor} busy={query.isFetching}
              onNext={() => data.next_cursor && pages.next(data.next_cursor)} onPrevious={pages.previous} />
          </>
        )}
      </QueryState>
    </Card>
  );
}
