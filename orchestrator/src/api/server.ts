import fs from 'node:fs';
import path from 'node:path';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import websocket from '@fastify/websocket';
import fastifyStatic from '@fastify/static';
import {
  hasZodFastifySchemaValidationErrors,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { SessionUser, Role } from './protocol.ts';
import type { SessionStore } from '../auth/sessions.ts';
import { hasRole } from '../auth/roles.ts';
import { HttpError, forbidden, unauthorized } from './errors.ts';

export const SESSION_COOKIE = 'cc_session';

declare module 'fastify' {
  interface FastifyRequest {
    user: SessionUser | null;
    sessionToken: string | null;
  }
}

export type App = FastifyInstance<any, any, any, any, ZodTypeProvider>;

export interface ServerOptions {
  logger: Logger;
  sessions: SessionStore;
  cookieSecure: boolean;
  /** Built web app to serve at `/` (softphone/dist); skipped when missing. */
  webRoot: string | null;
}

/** Requires a logged-in user with at least `role`; returns the user. */
export function requireRole(req: FastifyRequest, role: Role): SessionUser {
  if (!req.user) throw unauthorized();
  if (!hasRole(req.user.role, role)) throw forbidden();
  return req.user;
}

export function setSessionCookie(reply: FastifyReply, token: string, expiresAt: Date, secure: boolean): void {
  reply.setCookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure, path: '/', expires: expiresAt });
}

export async function createServer(o: ServerOptions): Promise<App> {
  // Per-request logs are noise at this volume; warnings and errors still go to the log.
  const httpLogger = o.logger.child({ component: 'http' }, { level: o.logger.levelVal > 40 ? o.logger.level : 'warn' });
  const app = Fastify({ loggerInstance: httpLogger, bodyLimit: 1_048_576 })
    .withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  await app.register(cookie);
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });

  app.decorateRequest('user', null);
  app.decorateRequest('sessionToken', null);
  app.addHook('onRequest', async (req, reply) => {
    const token = req.cookies[SESSION_COOKIE];
    if (!token) return;
    const session = await o.sessions.validate(token);
    if (!session) {
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return;
    }
    req.user = session.user;
    req.sessionToken = token;
    if (session.renewed) setSessionCookie(reply, token, session.expiresAt, o.cookieSecure);
  });

  app.setErrorHandler((err, req, reply) => {
    if (hasZodFastifySchemaValidationErrors(err)) {
      const issues = err.validation.map((v) => ({
        path: v.instancePath.replace(/^\//, '').replace(/\//g, '.') || String(v.params?.['missingProperty'] ?? ''),
        message: v.message ?? 'invalid',
      }));
      return reply.code(400).send({
        error: { code: 'invalid_input', message: issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; '), issues },
      });
    }
    if (err instanceof HttpError) {
      return reply.code(err.statusCode).send({ error: { code: err.code, message: err.message, issues: err.issues } });
    }
    const pgCode = (err as { code?: unknown }).code;
    if (pgCode === '23505') {
      return reply.code(409).send({ error: { code: 'conflict', message: `already exists: ${(err as { detail?: string }).detail ?? ''}`.trim() } });
    }
    if (pgCode === '23514' || pgCode === '22P02') {
      return reply.code(400).send({ error: { code: 'invalid_input', message: (err as Error).message } });
    }
    const status = (err as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500) {
      return reply.code(status).send({ error: { code: 'bad_request', message: (err as Error).message } });
    }
    req.log.error({ err }, 'request failed');
    return reply.code(500).send({ error: { code: 'internal', message: 'internal error' } });
  });

  if (o.webRoot && fs.existsSync(path.join(o.webRoot, 'index.html'))) {
    // wildcard routing looks files up per request, so a rebuilt web app is served without a restart.
    await app.register(fastifyStatic, { root: o.webRoot });
    app.setNotFoundHandler((req, reply) => {
      if (req.method === 'GET' && !req.url.startsWith('/api/') && !req.url.startsWith('/fsxml')) {
        return reply.sendFile('index.html');
      }
      return reply.code(404).send({ error: { code: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` } });
    });
  }
  return app;
}
