import type { ErrorDetail } from '@/types/api';

/** A problem the API reported in its one error body {"error": {"code", "message", "details"}}. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;

  constructor(status: number, detail: Partial<ErrorDetail> | undefined) {
    super(detail?.message || `The server answered ${status}.`);
    this.name = 'ApiError';
    this.status = status;
    this.code = detail?.code ?? `http_${status}`;
    this.details = detail?.details;
  }

  static from(status: number, body: unknown): ApiError {
    const detail =
      body && typeof body === 'object' && 'error' in body ? (body as { error: Partial<ErrorDetail> }).error : undefined;
    return new ApiError(status, detail);
  }
}

/** One problem of a 422 answer: where (loc, and for xlsx imports a sheet!row.column path) and what. */
export type FieldProblem = { loc: (string | number)[]; message: string; type?: string; path?: string | null };

export function fieldProblems(error: unknown): FieldProblem[] {
  if (!(error instanceof ApiError) || !Array.isArray(error.details)) return [];
  return error.details.filter(
    (d): d is FieldProblem => !!d && typeof d === 'object' && 'message' in d && Array.isArray((d as FieldProblem).loc),
  );
}

/** The message of a field's problem, looked up by the last part of its location, e.g. "phone". */
export function problemFor(error: unknown, field: string): string | undefined {
  return fieldProblems(error).find((p) => p.loc[p.loc.length - 1] === field)?.message;
}

/** Words a person can act on, for any error a query or mutation threw. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 403) return error.message || 'Your role does not allow this.';
    return error.message;
  }
  if (error instanceof TypeError) return 'The server cannot be reached. Check your connection and try again.';
  return error instanceof Error ? error.message : 'Something went wrong.';
}

export function isNetworkError(error: unknown): boolean {
  return error instanceof TypeError;
}
