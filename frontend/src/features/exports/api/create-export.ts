import { api, unwrap } from '@/lib/api-client';
import { useInvalidatingMutation, type MutationConfig } from '@/lib/react-query';
import type { components } from '@/types/api';

export type CreateExportInput = components['schemas']['ExportCreate'];

/** Starts an export (202 with its id); the worker makes the file in the background. The filters are those of
 * the matching list endpoint. */
export const createExport = (body: CreateExportInput) => unwrap(api.POST('/api/v1/exports', { body }));

export const useCreateExport = (config?: MutationConfig<typeof createExport>) =>
  useInvalidatingMutation(createExport, [['exports', 'list']], config);
