import { api, unwrap } from '@/lib/api-client';
import { useInvalidatingMutation, type MutationConfig } from '@/lib/react-query';

export const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export type ImportInput = { file: Blob; publish: boolean };

/**
 * Uploads a workbook (or a JSON definition) as a new draft version. On any problem the API answers 422 with
 * every problem located by sheet, row and column, and stores nothing.
 */
export const importQuestionnaire = async ({ file, publish }: ImportInput) => {
  const type = file.type === 'application/json' ? 'application/json' : XLSX;
  return unwrap(
    api.POST('/api/v1/questionnaires/import', {
      params: { query: { publish } },
      // The file goes as it is; openapi-fetch would otherwise JSON-encode it.
      body: (await file.arrayBuffer()) as never,
      bodySerializer: (body: unknown) => body as ArrayBuffer,
      headers: { 'content-type': type },
    }),
  );
};

export const useImportQuestionnaire = (config?: MutationConfig<typeof importQuestionnaire>) =>
  useInvalidatingMutation(importQuestionnaire, [['questionnaires']], config);
