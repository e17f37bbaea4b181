import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { App } from './server.ts';
import { requireRole } from './server.ts';
import { HttpError } from './errors.ts';
import { uuidParam } from './schemas.ts';
import type { Sql } from '../db/client.ts';
import { audit } from '../audit/audit-log.ts';
import { VAR_NAME } from '../ivr/template.ts';
import type { IvrRunStore } from '../ivr/store/run-store.ts';
import { PROMPT_NAME, PromptConversionError, type PromptLibrary } from '../ivr/store/prompt-library.ts';

const DAY_MS = 86_400_000;
const statisticsQuery = z.object({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  version: z.coerce.number().int().min(1).optional(),
});
const switchParams = z.object({ name: z.string().regex(VAR_NAME, 'a switch name is a variable name: a-z, 0-9, _ (max 40)') });
const switchBody = z.object({ enabled: z.boolean(), description: z.string().max(200).optional() });
const promptQuery = z.object({
  name: z.string().regex(PROMPT_NAME, 'prompt name: 1-64 letters, digits, _ or -'),
  filename: z.string().max(200).default(''),
});
const MAX_PROMPT_BYTES = 20 * 1024 * 1024;

/**
 * What the IVR runtime adds to the admin API: per-node statistics of live calls,
 * the switches flows read (e.g. an outage notice), and uploaded prompts.
 */
export function registerIvrRuntimeRoutes(app: App, d: { sql: Sql; runs: IvrRunStore; prompts: PromptLibrary }): void {
  app.get('/api/ivr/flows/:id/statistics', { schema: { params: uuidParam, querystring: statisticsQuery } }, async (req) => {
    const user = requireRole(req, 'supervisor');
    const to = req.query.to ? new Date(req.query.to) : new Date();
    const from = req.query.from ? new Date(req.query.from) : new Date(to.getTime() - 30 * DAY_MS);
    if (from >= to) throw new HttpError(400, 'bad_request', "'from' must be before 'to'");
    const [flow] = await d.sql`select 1 from ivr_flows where id = ${req.params.id} and organization_id = ${user.organizationId}`;
    if (!flow) throw new HttpError(404, 'not_found', 'flow not found');
    return { from: from.toISOString(), to: to.toISOString(), ...(await d.runs.statistics(user.organizationId, req.params.id, { from, to, ...(req.query.version ? { version: req.query.version } : {}) })) };
  });

  app.get('/api/ivr/switches', async (req) => {
    const user = requireRole(req, 'supervisor');
    return d.sql`select name, enabled, description, updated_at as "updatedAt" from ivr_switches where organization_id = ${user.organizationId} order by name`;
  });

  app.put('/api/ivr/switches/:name', { schema: { params: switchParams, body: switchBody } }, async (req) => {
    const admin = requireRole(req, 'admin');
    const [before] = await d.sql<{ enabled: boolean }[]>`select enabled from ivr_switches where organization_id = ${admin.organizationId} and name = ${req.params.name}`;
    await d.sql`insert into ivr_switches (organization_id, name, enabled, description, updated_by)
                values (${admin.organizationId}, ${req.params.name}, ${req.body.enabled}, ${req.body.description ?? ''}, ${admin.id})
                on conflict (organization_id, name) do update set enabled = excluded.enabled, updated_by = excluded.updated_by, updated_at = now(),
                  description = case when ${req.body.description === undefined} then ivr_switches.description else excluded.description end`;
    await audit(d.sql, { organizationId: admin.organizationId, actorUserId: admin.id, action: 'ivr.switch', target: req.params.name, details: { before: before?.enabled ?? null, after: req.body.enabled } });
    return { name: req.params.name, enabled: req.body.enabled };
  });

  app.get('/api/ivr/prompts', async (req) => d.prompts.list(requireRole(req, 'admin').organizationId));

  // The upload is the raw file (WAV or MP3): POST /api/ivr/prompts?name=welcome&filename=welcome.mp3
  app.register(async (plain) => {
    const scope = plain.withTypeProvider<ZodTypeProvider>();
    scope.addContentTypeParser(['application/octet-stream', 'audio/wav', 'audio/x-wav', 'audio/wave', 'audio/mpeg', 'audio/mp3'], { parseAs: 'buffer', bodyLimit: MAX_PROMPT_BYTES }, (_req, body, done) => done(null, body));
    scope.post('/api/ivr/prompts', { schema: { querystring: promptQuery }, bodyLimit: MAX_PROMPT_BYTES }, async (req, reply) => {
      const admin = requireRole(req, 'admin');
      if (!Buffer.isBuffer(req.body)) throw new HttpError(415, 'unsupported_media_type', 'send the audio file itself (audio/wav, audio/mpeg or application/octet-stream)');
      try {
        const prompt = await d.prompts.add(admin.organizationId, req.query.name, req.query.filename, req.body, admin.id);
        await audit(d.sql, { organizationId: admin.organizationId, actorUserId: admin.id, action: 'ivr.prompt_upload', target: prompt.name, details: { file: prompt.filePath, durationMs: prompt.durationMs } });
        return reply.code(201).send(prompt);
      } catch (err) {
        if (err instanceof PromptConversionError) throw new HttpError(400, 'invalid_prompt', err.message);
        throw err;
      }
    });
  });
}
