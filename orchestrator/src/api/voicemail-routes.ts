import fs from 'node:fs';
import { z } from 'zod';
import type { App } from './server.ts';
import { requireRole } from './server.ts';
import { HttpError, notFound } from './errors.ts';
import { uuidParam } from './schemas.ts';
import type { Sql } from '../db/client.ts';
import { audit } from '../audit/audit-log.ts';
import type { VoicemailStore } from '../voicemail/voicemail-store.ts';

const MAILBOX = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'mailbox: 1-64 letters, digits, _ or -');
const listQuery = z.object({
  mailbox: MAILBOX.optional(),
  status: z.enum(['new', 'heard', 'archived']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
const statusBody = z.object({ status: z.enum(['new', 'heard', 'archived']) });
const boxParams = z.object({ mailbox: MAILBOX });
const boxBody = z.object({
  description: z.string().max(200).default(''),
  webhookUrl: z.url({ protocol: /^https?$/ }).max(500).nullable().default(null),
  email: z.email().max(200).nullable().default(null),
});

/**
 * Voicemail: agents list messages and listen to them (every listen is audited),
 * mark them heard/archived; admins configure boxes and their notifications.
 */
export function registerVoicemailRoutes(app: App, d: { sql: Sql; voicemails: VoicemailStore }): void {
  app.get('/api/voicemails', { schema: { querystring: listQuery } }, async (req) => d.voicemails.list(requireRole(req, 'agent').organizationId, req.query));

  app.get('/api/voicemails/:id/audio', { schema: { params: uuidParam } }, async (req, reply) => {
    const user = requireRole(req, 'agent');
    const file = await d.voicemails.file(user.organizationId, req.params.id);
    if (!file) throw notFound('voicemail');
    if (!fs.existsSync(file.path)) throw new HttpError(410, 'gone', 'the voicemail audio file is missing');
    await audit(d.sql, { organizationId: user.organizationId, actorUserId: user.id, action: 'voicemail.play', target: req.params.id, details: { mailbox: file.mailbox } });
    return reply.type('audio/wav').header('cache-control', 'no-store').send(fs.createReadStream(file.path));
  });

  app.post('/api/voicemails/:id/status', { schema: { params: uuidParam, body: statusBody } }, async (req) => {
    const user = requireRole(req, 'agent');
    if (!(await d.voicemails.setStatus(user.organizationId, req.params.id, req.body.status, user.id))) throw notFound('voicemail');
    await audit(d.sql, { organizationId: user.organizationId, actorUserId: user.id, action: 'voicemail.status', target: req.params.id, details: { status: req.body.status } });
    return { id: req.params.id, status: req.body.status };
  });

  app.get('/api/voicemail-boxes', async (req) => d.voicemails.boxes(requireRole(req, 'supervisor').organizationId));

  app.put('/api/voicemail-boxes/:mailbox', { schema: { params: boxParams, body: boxBody } }, async (req) => {
    const admin = requireRole(req, 'admin');
    const box = { mailbox: req.params.mailbox, ...req.body };
    const before = await d.voicemails.saveBox(admin.organizationId, box);
    await audit(d.sql, { organizationId: admin.organizationId, actorUserId: admin.id, action: 'voicemail.box_save', target: box.mailbox, details: { before, after: box } });
    return box;
  });

  app.delete('/api/voicemail-boxes/:mailbox', { schema: { params: boxParams } }, async (req, reply) => {
    const admin = requireRole(req, 'admin');
    const before = await d.voicemails.deleteBox(admin.organizationId, req.params.mailbox);
    if (!before) throw notFound('voicemail box');
    await audit(d.sql, { organizationId: admin.organizationId, actorUserId: admin.id, action: 'voicemail.box_delete', target: req.params.mailbox, details: { before } });
    return reply.code(204).send();
  });
}
