import { z } from 'zod';
import type { App } from './server.ts';
import { requireRole } from './server.ts';
import { HttpError } from './errors.ts';
import { uuidParam } from './schemas.ts';
import type { Sql } from '../db/client.ts';
import { audit } from '../audit/audit-log.ts';
import { NotFoundError } from '../acd/repository.ts';
import { FlowRepository, FlowStateError } from '../ivr/store/flow-repository.ts';
import { dryRun, LANGUAGES, parseFlow, type Flow } from '../ivr/index.ts';

const flowBody = z.object({ name: z.string().trim().min(1).max(100), definition: z.unknown() });
const draftBody = z.object({ definition: z.unknown() });
const rollbackBody = z.object({ version: z.number().int().min(1) });
const versionParams = z.object({ id: z.uuid(), version: z.coerce.number().int().min(1) });
const dryRunBody = z.object({
  definition: z.unknown(),
  script: z.array(z.union([z.string().max(64), z.record(z.string(), z.unknown())])).max(500),
  options: z
    .object({
      callerNumber: z.string().max(32).optional(),
      now: z.number().int().optional(),
      variables: z.record(z.string(), z.string().max(1000)).optional(),
      language: z.enum(LANGUAGES).optional(),
      http: z.record(z.string(), z.unknown()).optional(),
    })
    .default({}),
});

/** Validates a flow definition; a bad one is a 400 listing every problem (each names its node and field). */
function validFlow(definition: unknown): { flow: Flow; warnings: string[] } {
  const parsed = parseFlow(definition);
  if (!parsed.ok) {
    throw new HttpError(400, 'invalid_flow', parsed.errors.join('; '), parsed.errors.map((message) => ({ path: /^node ([a-z][a-z0-9_]*)/.exec(message)?.[1] ?? '', message })));
  }
  return { flow: parsed.flow, warnings: parsed.warnings };
}

function domain<T>(fn: () => Promise<T>): Promise<T> {
  return fn().catch((err: unknown) => {
    if (err instanceof NotFoundError) throw new HttpError(404, 'not_found', err.message);
    if (err instanceof FlowStateError) throw new HttpError(409, 'invalid_state', err.message);
    throw err;
  });
}

/**
 * IVR flows: admins create drafts (validated), publish them (immutable from then on),
 * roll back to any earlier published version, export any version, and dry-run a
 * definition through the same interpreter the runtime uses.
 */
export function registerIvrRoutes(app: App, d: { sql: Sql; flows: FlowRepository }): void {
  app.get('/api/ivr/flows', async (req) => d.flows.list(requireRole(req, 'supervisor').organizationId));

  app.post('/api/ivr/flows', { schema: { body: flowBody } }, async (req, reply) => {
    const admin = requireRole(req, 'admin');
    const { warnings } = validFlow(req.body.definition);
    const id = await d.flows.create(admin.organizationId, req.body.name, req.body.definition, admin.id);
    await audit(d.sql, { organizationId: admin.organizationId, actorUserId: admin.id, action: 'ivr.create', target: id, details: { name: req.body.name } });
    return reply.code(201).send({ ...(await d.flows.summary(admin.organizationId, id)), warnings });
  });

  app.get('/api/ivr/flows/:id', { schema: { params: uuidParam } }, async (req) =>
    domain(() => d.flows.summary(requireRole(req, 'supervisor').organizationId, req.params.id)),
  );

  app.get('/api/ivr/flows/:id/versions/:version', { schema: { params: versionParams } }, async (req) =>
    domain(() => d.flows.definition(requireRole(req, 'supervisor').organizationId, req.params.id, req.params.version)),
  );

  app.put('/api/ivr/flows/:id/draft', { schema: { params: uuidParam, body: draftBody } }, async (req) => {
    const admin = requireRole(req, 'admin');
    const { warnings } = validFlow(req.body.definition);
    const version = await domain(() => d.flows.saveDraft(admin.organizationId, req.params.id, req.body.definition, admin.id));
    await audit(d.sql, { organizationId: admin.organizationId, actorUserId: admin.id, action: 'ivr.save_draft', target: req.params.id, details: { version } });
    return { version, warnings };
  });

  app.post('/api/ivr/flows/:id/publish', { schema: { params: uuidParam } }, async (req) => {
    const admin = requireRole(req, 'admin');
    const version = await domain(() => d.flows.publishDraft(admin.organizationId, req.params.id));
    await audit(d.sql, { organizationId: admin.organizationId, actorUserId: admin.id, action: 'ivr.publish', target: req.params.id, details: { version } });
    return d.flows.summary(admin.organizationId, req.params.id);
  });

  app.post('/api/ivr/flows/:id/rollback', { schema: { params: uuidParam, body: rollbackBody } }, async (req) => {
    const admin = requireRole(req, 'admin');
    const before = (await domain(() => d.flows.summary(admin.organizationId, req.params.id))).publishedVersion;
    await domain(() => d.flows.rollback(admin.organizationId, req.params.id, req.body.version));
    await audit(d.sql, { organizationId: admin.organizationId, actorUserId: admin.id, action: 'ivr.rollback', target: req.params.id, details: { from: before, to: req.body.version } });
    return d.flows.summary(admin.organizationId, req.params.id);
  });

  app.post('/api/ivr/dry-run', { schema: { body: dryRunBody } }, async (req) => {
    requireRole(req, 'admin');
    const { flow } = validFlow(req.body.definition);
    return dryRun(flow, req.body.script as never, { ...req.body.options, http: req.body.options.http as never, maxSteps: 2000 });
  });
}
