import { request } from '@/lib/api-client';
import { useInvalidatingMutation, type MutationConfig } from '@/lib/react-query';

import type { ExportCreated, ExportKind } from './contract';

export type CreateExportInput = { kind: ExportKind; filters: Record<string, string> };

/** Starts an export; 202 with its id. The filters are those of the matching list endpoint. */
export const createExport = (body: CreateExportInput) => request<ExportCreated>('POST', '/api/v1/exports', { body });

export const useCreateExport = (config?: MutationConfig<typeof createExport>) =>
  useInvalidatingMutation(createExport, [['exports']], config);
