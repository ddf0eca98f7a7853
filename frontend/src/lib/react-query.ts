import { QueryClient, type DefaultOptions, type UseMutationOptions } from '@tanstack/react-query';

import { ApiError } from '@/lib/errors';

const defaults: DefaultOptions = {
  queries: {
    staleTime: 30_000,
    refetchOnWindowFocus: false,
    // A 4xx will not fix itself; network trouble and 5xx get two more tries.
    retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
  },
};

export function makeQueryClient(): QueryClient {
  return new QueryClient({ defaultOptions: defaults });
}

export type MutationConfig<Fn extends (...args: never[]) => Promise<unknown>> = UseMutationOptions<
  Awaited<ReturnType<Fn>>,
  Error,
  Parameters<Fn>[0]
>;
