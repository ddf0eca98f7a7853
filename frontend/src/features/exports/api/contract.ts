/**
 * Exports and share links as issue #11 specifies them; not in the OpenAPI document yet. When the routes
 * land these names are replaced by the generated types.
 */
export type ExportKind = 'assessments' | 'answers' | 'costs';
export type ExportStatus = 'pending' | 'running' | 'ready' | 'failed' | 'expired';
export type ExportJob = {
  id: string;
  kind: ExportKind;
  status: ExportStatus;
  filters: Record<string, unknown>;
  rows?: number | null;
  rows_total?: number | null;
  bytes?: number | null;
  created_at: string;
  finished_at?: string | null;
  error?: string | null;
};
export type ExportCreated = { export_id: string; status: ExportStatus };
export type ShareLink = { id: string; url?: string; expires_at: string; max_downloads: number | null; downloads: number; revoked_at?: string | null };
/** Pushed to the export's owner over the WebSocket. */
export type ExportEvent = { type: 'export.progress' | 'export.ready'; export_id: string; done?: number; total?: number };
