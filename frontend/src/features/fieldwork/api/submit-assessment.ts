import { api } from '@/lib/api-client';
import type { SubmissionCreate, SubmissionResult } from '@/types/api';

export type SubmitOutcome =
  | { ok: true; status: number; result: SubmissionResult; replayed: boolean }
  | { ok: false; status: number; error: unknown };

/**
 * Sends one finished assessment with its Idempotency-Key. The same key and body always store one
 * assessment: a retry answers the stored result (Idempotent-Replayed: true). Network failures throw.
 */
export async function submitAssessment(key: string, body: SubmissionCreate): Promise<SubmitOutcome> {
  const { data, error, response } = await api.POST('/api/v1/assessments/submit', {
    body,
    params: { header: { 'Idempotency-Key': key } },
  });
  if (response.ok && data) {
    return { ok: true, status: response.status, result: data, replayed: response.headers.get('Idempotent-Replayed') === 'true' };
  }
  return { ok: false, status: response.status, error };
}
