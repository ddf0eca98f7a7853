import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';

import { api, unwrap } from '@/lib/api-client';

export const getUsers = (cursor?: string) =>
  unwrap(api.GET('/api/v1/users', { params: { query: { cursor, limit: 50 } } }));

export const usersQueryOptions = (cursor?: string) =>
  queryOptions({ queryKey: ['users', 'list', cursor ?? null], queryFn: () => getUsers(cursor), placeholderData: keepPreviousData });

export const useUsers = (cursor?: string) => useQuery(usersQueryOptions(cursor));
