import type { FlowStatistics } from '../../../../orchestrator/src/ivr/statistics.ts';
import type { FlowSummary } from '../../../../orchestrator/src/ivr/store/flow-repository.ts';
import { ApiError, request } from '../api';
import { selfServiceApi } from '../selfservice/selfservice-api';

export type { FlowStatistics, FlowSummary };

const flowPath = (id: string) => `/api/ivr/flows/${encodeURIComponent(id)}`;

/** The IVR flows API (orchestrator/src/api/ivr-routes.ts). Definitions are validated by the server too. */
export const ivrApi = {
  list: () => request<FlowSummary[]>('GET', '/api/ivr/flows'),
  get: (id: string) => request<FlowSummary>('GET', flowPath(id)),
  create: (name: string, definition: unknown) =>
    request<FlowSummary & { warnings: string[] }>('POST', '/api/ivr/flows', { name, definition }),
  version: (id: string, version: number) =>
    request<{ version: number; definition: unknown }>('GET', `${flowPath(id)}/versions/${version}`),
  saveDraft: (id: string, definition: unknown) =>
    request<{ version: number; warnings: string[] }>('PUT', `${flowPath(id)}/draft`, { definition }),
  publish: (id: string) => request<FlowSummary>('POST', `${flowPath(id)}/publish`),
  rollback: (id: string, version: number) => request<FlowSummary>('POST', `${flowPath(id)}/rollback`, { version }),
  /** Uploaded prompt files (admins), for file prompts; empty when the server has none or cannot say. */
  prompts: () => selfServiceApi.prompts.list().catch(() => []),
  /** The admin's IVR switches (a notice's enabledVar), as the runtime passes them to a run: name → 'true' | 'false'. */
  switches: () =>
    selfServiceApi.switches.list().then(
      (rows) => Object.fromEntries(rows.map((r) => [r.name, r.enabled ? 'true' : 'false'])) as Record<string, string>,
      () => ({}) as Record<string, string>,
    ),
  /** Per-node statistics; null when the server does not offer them (404) or cannot answer. */
  statistics: (id: string) =>
    request<FlowStatistics>('GET', `${flowPath(id)}/statistics`).catch((err: unknown) => {
      if (err instanceof ApiError) return null;
      throw err;
    }),
};
