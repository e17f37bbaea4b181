import type {
  BlacklistEntry,
  Dialplan,
  DialplanKind,
  Extension,
  InboundNumber,
  OutboundRoute,
} from '../../../../orchestrator/src/dialplan/model.ts';
import type { RouteDecision } from '../../../../orchestrator/src/dialplan/resolve.ts';
import type { RevisionRow as Revision } from '../../../../orchestrator/src/dialplan/store/dialplan-repository.ts';
import { request, type ApiIssue } from '../api';
import { ivrApi } from '../ivr/ivr-api';

export type { BlacklistEntry, Dialplan, DialplanKind, Extension, InboundNumber, OutboundRoute, Revision, RouteDecision };

/** An issue of the dialplan's validation, as the API sends it (each message names its item and field). */
export interface DialplanApiIssue extends ApiIssue {
  severity: 'error' | 'warning';
  code: string;
  kind: DialplanKind;
  itemId: string;
  field: string;
}

export interface DialplanView extends Dialplan {
  issues: DialplanApiIssue[];
  gateways: string[];
  version: number;
}

export interface ChangeAnswer<T> {
  item: T;
  revisionId: number;
  issues: DialplanApiIssue[];
}

/** URL segment of each kind (orchestrator/src/dialplan/model.ts KIND_INFO). */
export const SEGMENT: Record<DialplanKind, string> = {
  inboundNumbers: 'inbound-numbers',
  extensions: 'extensions',
  outboundRoutes: 'outbound-routes',
  blacklist: 'blacklist',
};

type Input<T> = Omit<T, 'id'>;

/** The dialplan admin API (orchestrator/src/api/dialplan-routes.ts). */
export const dialplanApi = {
  view: () => request<DialplanView>('GET', '/api/dialplan'),
  create: <T extends { id: string }>(kind: DialplanKind, input: Input<T>) =>
    request<ChangeAnswer<T>>('POST', `/api/dialplan/${SEGMENT[kind]}`, input),
  update: <T extends { id: string }>(kind: DialplanKind, id: string, input: Input<T>) =>
    request<ChangeAnswer<T>>('PUT', `/api/dialplan/${SEGMENT[kind]}/${encodeURIComponent(id)}`, input),
  remove: (kind: DialplanKind, id: string) =>
    request<{ revisionId: number; issues: DialplanApiIssue[] }>('DELETE', `/api/dialplan/${SEGMENT[kind]}/${encodeURIComponent(id)}`),
  revisions: (limit = 50) => request<Revision[]>('GET', `/api/dialplan/revisions?limit=${limit}`),
  revert: (id: number) => request<{ reverted: number; revisionId: number; issues: DialplanApiIssue[] }>('POST', `/api/dialplan/revisions/${id}/revert`),
  exportFile: () => request<unknown>('GET', '/api/dialplan/export'),
  importFile: (file: unknown) =>
    request<{ counts: Record<DialplanKind, number>; revisionId: number; issues: DialplanApiIssue[] }>('POST', '/api/dialplan/import', file),
  resolve: (context: 'public' | 'default' | 'cc_outbound', destination: string, caller?: string) =>
    request<RouteDecision>('POST', '/api/dialplan/resolve', caller ? { context, destination, caller } : { context, destination }),
  flows: () => ivrApi.list().catch(() => []),
};

/** What the forms offer as destinations. */
export interface DialplanRefsView {
  queues: Array<{ id: string; name: string }>;
  flows: Array<{ id: string; name: string; publishedVersion: number | null }>;
  agents: Array<{ id: string; extension: string; displayName: string }>;
  gateways: string[];
  /** The dialplan's own extension numbers. */
  extensions: string[];
}
