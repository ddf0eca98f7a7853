import {
  QueryClient,
  useMutation,
  useQueryClient,
  type DefaultOptions,
  type QueryKey,
  type UseMutationOptions,
} from '@tanstack/react-query';

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

/**
 * A mutation that, once it succeeds, marks stale the queries it changed (`stale` may depend on the
 * mutation's input), then runs the caller's own onSuccess.
 */
export function useInvalidatingMutation<Fn extends (input: never) => Promise<unknown>>(
  mutationFn: Fn,
  stale: QueryKey[] | ((input: Parameters<Fn>[0]) => QueryKey[]),
  config?: MutationConfig<Fn>,
) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: mutationFn as (input: Parameters<Fn>[0]) => Promise<Awaited<ReturnType<Fn>>>,
    ...config,
    onSuccess: (...args) => {
      const keys = typeof stale === 'function' ? stale(args[1]) : stale;
      keys.forEach((queryKey) => void client.invalidateQueries({ queryKey }));
      return config?.onSuccess?.(...args);
    },
  });
}
