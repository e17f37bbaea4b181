import { z } from 'zod';
import type { Logger } from 'pino';
import type { App } from './server.ts';
import { requireRole } from './server.ts';
import { HttpError } from './errors.ts';
import type { Sql } from '../db/client.ts';
import {
  DIALPLAN_KINDS,
  KIND_INFO,
  SERVED_CONTEXTS,
  ROUTABLE_NUMBER,
  dialplanFile,
  type Dialplan,
  type DialplanIssue,
  type DialplanItem,
  type DialplanKind,
  type RouteDecision,
} from '../dialplan/index.ts';
import { DialplanRepository } from '../dialplan/store/dialplan-repository.ts';
import { DialplanAdmin, DialplanInvalidError, DialplanNotFoundError, DialplanStaleError } from '../dialplan/store/dialplan-admin.ts';
import { DialplanRouteSource, type RouteLookup } from '../dialplan/store/route-source.ts';
import { gatewaysInDirectory } from '../dialplan/store/gateways.ts';

export interface DialplanRouteDeps {
  sql: Sql;
  logger: Logger;
  /** The organization of trunk calls (no SIP domain). */
  defaultOrganizationId: string;
  /** freeswitch/conf/gateways: the gateways outbound routes may use. */
  gatewaysDir: string;
  /** A gateway known besides those files (the one CC_EXTERNAL_DIAL_PREFIX names), if any. */
  defaultGateway: string | null;
}

const idParam = z.object({ id: z.uuid() });
const revisionParam = z.object({ id: z.coerce.number().int().min(1) });
const revisionsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  before: z.coerce.number().int().min(1).optional(),
  itemId: z.uuid().optional(),
});
const resolveBody = z.object({
  context: z.enum(SERVED_CONTEXTS),
  destination: z.string().trim().regex(ROUTABLE_NUMBER, 'digits, optional leading +'),
  caller: z.string().trim().regex(ROUTABLE_NUMBER, 'digits, optional leading +').optional(),
});

/** API issues: `path` is the field for the item being edited, else `<kind>[<number>].<field>`; each message names item and field. */
function apiIssues(issues: readonly DialplanIssue[], focusId: string | null) {
  return issues.map((i) => ({
    path: focusId && i.itemId === focusId ? i.field : `${i.kind}[${i.label}].${i.field}`,
    message: i.message,
    severity: i.severity,
    code: i.code,
    kind: i.kind,
    itemId: i.itemId,
    field: i.field,
  }));
}

function domain<T>(fn: () => Promise<T>): Promise<T> {
  return fn().catch((err: unknown) => {
    if (err instanceof DialplanInvalidError) {
      throw new HttpError(400, 'invalid_dialplan', err.issues.length > 0 ? err.message : 'invalid dialplan', apiIssues(err.issues, err.focusId));
    }
    if (err instanceof DialplanNotFoundError) throw new HttpError(404, 'not_found', err.message);
    if (err instanceof DialplanStaleError) throw new HttpError(409, 'stale', err.message);
    throw err;
  });
}

/**
 * The dialplan admin API (admins change, supervisors read): inbound numbers,
 * extensions, outbound routes and blacklist, each under /api/dialplan/<kind>;
 * revisions and revert; import/export of the whole dialplan; a "test a number"
 * resolver. Returns what the mod_xml_curl endpoint asks for each call.
 */
export function registerDialplanRoutes(app: App, d: DialplanRouteDeps): { decide(lookup: RouteLookup): Promise<RouteDecision> } {
  const repo = new DialplanRepository(d.sql);
  const logger = d.logger.child({ component: 'dialplan' });
  const gateways = async () => {
    const found = await gatewaysInDirectory(d.gatewaysDir, logger);
    return [...new Set([...found, ...(d.defaultGateway ? [d.defaultGateway] : [])])].sort();
  };
  const admin = new DialplanAdmin(repo, gateways);
  const source = new DialplanRouteSource(repo, d.defaultOrganizationId, logger);
  const actor = (user: { organizationId: string; id: string }) => ({ organizationId: user.organizationId, userId: user.id });

  app.get('/api/dialplan', async (req) => {
    const view = await admin.view(requireRole(req, 'supervisor').organizationId);
    return { ...view.dialplan, issues: apiIssues(view.issues, null), gateways: view.gateways, version: view.version };
  });

  app.get('/api/dialplan/export', async (req, reply) => {
    const file = await admin.export(requireRole(req, 'supervisor').organizationId);
    return reply.header('content-disposition', 'attachment; filename="dialplan.json"').send(file);
  });

  app.post('/api/dialplan/import', { schema: { body: dialplanFile } }, async (req) => {
    const user = requireRole(req, 'admin');
    const r = await domain(() => admin.import(actor(user), req.body));
    return { counts: r.value, revisionId: r.revisionId, issues: apiIssues(r.issues, null) };
  });

  app.post('/api/dialplan/check', { schema: { body: dialplanFile } }, async (req) => {
    const user = requireRole(req, 'supervisor');
    const withIds = Object.fromEntries(
      DIALPLAN_KINDS.map((k) => [k, (req.body[k] as (DialplanItem & { id?: string })[]).map((i, n) => ({ ...i, id: i.id ?? `00000000-0000-4000-8000-${String(n + 1).padStart(12, '0')}` }))]),
    ) as unknown as Dialplan;
    return { issues: apiIssues(await admin.check(user.organizationId, withIds), null) };
  });

  app.post('/api/dialplan/resolve', { schema: { body: resolveBody } }, async (req) => {
    const user = requireRole(req, 'supervisor');
    const [org] = await d.sql<{ sip_domain: string }[]>`select sip_domain from organizations where id = ${user.organizationId}`;
    return source.decide({ context: req.body.context, destination: req.body.destination, callerNumber: req.body.caller ?? null, domain: org?.sip_domain ?? null });
  });

  app.get('/api/dialplan/revisions', { schema: { querystring: revisionsQuery } }, async (req) => {
    const user = requireRole(req, 'supervisor');
    const q = req.query as z.output<typeof revisionsQuery>;
    return admin.revisions(user.organizationId, { limit: q.limit, beforeId: q.before, itemId: q.itemId });
  });

  app.post('/api/dialplan/revisions/:id/revert', { schema: { params: revisionParam } }, async (req) => {
    const user = requireRole(req, 'admin');
    const r = await domain(() => admin.revert(actor(user), (req.params as z.output<typeof revisionParam>).id));
    return { reverted: r.value.reverted, revisionId: r.revisionId, issues: apiIssues(r.issues, null) };
  });

  for (const kind of DIALPLAN_KINDS) {
    const info = KIND_INFO[kind];
    const base = `/api/dialplan/${info.segment}`;
    app.get(base, async (req) => (await repo.load(requireRole(req, 'supervisor').organizationId))[kind]);

    app.post(base, { schema: { body: info.input } }, async (req, reply) => {
      const user = requireRole(req, 'admin');
      const r = await domain(() => admin.create(actor(user), kind as DialplanKind, req.body as Omit<DialplanItem, 'id'>));
      return reply.code(201).send({ item: r.value, revisionId: r.revisionId, issues: apiIssues(r.issues, r.value.id) });
    });

    app.put(`${base}/:id`, { schema: { params: idParam, body: info.input } }, async (req) => {
      const user = requireRole(req, 'admin');
      const { id } = req.params as z.output<typeof idParam>;
      const r = await domain(() => admin.update(actor(user), kind as DialplanKind, id, req.body as Omit<DialplanItem, 'id'>));
      return { item: r.value, revisionId: r.revisionId, issues: apiIssues(r.issues, id) };
    });

    app.delete(`${base}/:id`, { schema: { params: idParam } }, async (req) => {
      const user = requireRole(req, 'admin');
      const { id } = req.params as z.output<typeof idParam>;
      const r = await domain(() => admin.remove(actor(user), kind, id));
      return { revisionId: r.revisionId, issues: apiIssues(r.issues, null) };
    });
  }

  return { decide: (lookup) => source.decide(lookup) };
}
