import { queryOptions, useQuery } from '@tanstack/react-query';

import { api, unwrap } from '@/lib/api-client';
import { session } from '@/lib/session';

export const getMe = async () => {
  const user = await unwrap(api.GET('/api/v1/auth/me'));
  session.setUser(user);
  return user;
};

export const meQueryOptions = () => queryOptions({ queryKey: ['me'], queryFn: getMe });

export const useMe = (enabled = true) => useQuery({ ...meQueryOptions(), enabled });
