import { ApiError, type ApiIssue } from './api';

export interface DisplayError {
  message: string;
  issues: ApiIssue[];
}

/** Turns anything thrown by the API client into what an error line shows. */
export function toDisplayError(err: unknown, networkMessage: string): DisplayError {
  if (err instanceof ApiError) {
    return { message: err.code === 'network_error' ? networkMessage : err.message, issues: err.issues };
  }
  return { message: err instanceof Error ? err.message : String(err), issues: [] };
}
