import { queryOptions, useQuery } from '@tanstack/react-query';

import { request } from '@/lib/api-client';

import type { ExportJob } from './contract';

export const getExports = () => request<{ items: ExportJob[] }>('GET', '/api/v1/exports');

export const exportsQueryOptions = () => queryOptions({ queryKey: ['exports', 'list'], queryFn: getExports });

export const useExports = () => useQuery(exportsQueryOptions());
