import { api, unwrap } from '@/lib/api-client';

/**
 * Downloads a ready export. The API answers the file's presigned URL (valid a few minutes, an attachment with
 * the export's file name) as JSON rather than its usual 303, because a redirect cannot carry the access token
 * and a script may not read the Location of one; the browser then goes to the file itself and saves it, and
 * this page stays where it is.
 */
export async function downloadExport(exportId: string, go: (url: string) => void = (url) => window.location.assign(url)): Promise<void> {
  const { url } = await unwrap(api.GET('/api/v1/exports/{export_id}/download', {
    params: { path: { export_id: exportId }, query: { redirect: false } },
  }));
  go(url);
}
