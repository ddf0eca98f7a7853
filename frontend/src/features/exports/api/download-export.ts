import { authFetch } from '@/lib/api-client';
import { ApiError } from '@/lib/errors';

/**
 * Downloads a ready export: GET /exports/{id}/download answers 303 to a short-lived signed S3 URL, which the
 * browser follows; the file is then saved under the name the server gave.
 */
export async function downloadExport(exportId: string): Promise<void> {
  const response = await authFetch(new Request(new URL(`/api/v1/exports/${exportId}/download`, window.location.origin)));
  if (!response.ok) throw ApiError.from(response.status, await response.json().catch(() => undefined));
  const disposition = response.headers.get('content-disposition') ?? '';
  const name = /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? `export-${exportId}.xlsx`;
  const url = URL.createObjectURL(await response.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
