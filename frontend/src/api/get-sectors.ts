import { queryOptions, useQuery } from '@tanstack/react-query';

import { api, unwrap } from '@/lib/api-client';
import type { Lang } from '@/types/api';

/**
 * Reference data that several features show (filters, the fieldwork form), so it sits beside the shared
 * modules rather than inside one feature. The service worker keeps a copy for offline use.
 */
export const getSectors = (lang: Lang = 'en') => unwrap(api.GET('/api/v1/sectors', { params: { query: { lang } } }));

export const sectorsQueryOptions = (lang: Lang = 'en') =>
  queryOptions({ queryKey: ['sectors', lang], queryFn: () => getSectors(lang), staleTime: 10 * 60_000 });

export const useSectors = (lang: Lang = 'en') => useQuery(sectorsQueryOptions(lang));
