import type { FastifyInstance } from 'fastify';
import formbody from '@fastify/formbody';
import { z } from 'zod';
import { timingSafeEqual } from 'node:crypto';
import { directoryUser, isSafeDecision, notFound, queueRoute, routeDecision } from './documents.ts';
import { isServedContext, ROUTABLE_NUMBER, type RouteDecision } from '../dialplan/resolve.ts';
import type { RouteLookup } from '../dialplan/store/route-source.ts';

export interface FsXmlSources {
  sipAccount(domain: string, extension: string): Promise<{ extension: string; password: string; displayName: string } | null>;
  queueForNumber(dialedNumber: string): { queueId: string; holdMusic: string | null } | null;
  /** The admins' dialplan tables (orchestrator/src/dialplan): a decision for this call; `none` leaves it to the static XML. */
  dialplan?(request: RouteLookup): Promise<RouteDecision>;
}

export interface FsXmlOptions {
  user: string;
  password: string;
}

const fetchSchema = z
  .object({
    section: z.enum(['directory', 'dialplan', 'configuration', 'phrases', 'languages', 'chatplan', 'channels']),
    user: z.string().regex(/^[0-9]{2,10}$/).optional(),
    domain: z.string().regex(/^[A-Za-z0-9.-]{1,253}$/).optional(),
    'Caller-Destination-Number': z.string().max(64).optional(),
    'Hunt-Destination-Number': z.string().max(64).optional(),
    'Caller-Caller-ID-Number': z.string().max(256).optional(),
    'Hunt-Caller-ID-Number': z.string().max(256).optional(),
    variable_domain_name: z.string().max(256).optional(),
    'Hunt-Context': z.string().optional(),
    'Caller-Context': z.string().optional(),
  })
  .passthrough();

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * POST /fsxml: the mod_xml_curl endpoint. Directory lookups are answered from
 * Postgres (agents' SIP credentials); dialplan lookups in the public context
 * route inbound numbers to queues; everything else falls back to static XML.
 */
export async function registerFsXmlRoutes(app: FastifyInstance, sources: FsXmlSources, options: FsXmlOptions): Promise<void> {
  await app.register(async (scope) => {
    await scope.register(formbody);
    scope.post('/fsxml', async (req, reply) => {
      const auth = req.headers.authorization ?? '';
      const expected = `Basic ${Buffer.from(`${options.user}:${options.password}`).toString('base64')}`;
      if (!sameSecret(auth, expected)) {
        return reply.code(401).header('www-authenticate', 'Basic realm="fsxml"').send('unauthorized');
      }
      reply.type('text/xml');
      const parsed = fetchSchema.safeParse(req.body);
      if (!parsed.success) {
        req.log.warn({ issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) }, 'unusable xml_curl request');
        return notFound();
      }
      const body = parsed.data;
      if (body.section === 'directory' && body.user && body.domain) {
        const account = await sources.sipAccount(body.domain, body.user);
        return account ? directoryUser({ domain: body.domain, context: 'default', ...account }) : notFound();
      }
      const context = body['Hunt-Context'] ?? body['Caller-Context'];
      const dialed = body['Hunt-Destination-Number'] ?? body['Caller-Destination-Number'];
      if (body.section === 'dialplan' && sources.dialplan && context && isServedContext(context) && dialed && ROUTABLE_NUMBER.test(dialed)) {
        const caller = body['Hunt-Caller-ID-Number'] ?? body['Caller-Caller-ID-Number'] ?? '';
        const domain = body.variable_domain_name ?? '';
        let decision: RouteDecision | null = null;
        try {
          decision = await sources.dialplan({
            context,
            destination: dialed,
            callerNumber: ROUTABLE_NUMBER.test(caller) ? caller : null,
            domain: /^[A-Za-z0-9.-]{1,253}$/.test(domain) ? domain : null,
          });
        } catch (err) {
          req.log.error({ err, context, dialed }, 'dialplan lookup failed: the static dialplan answers');
        }
        if (decision && decision.kind !== 'none') {
          if (isSafeDecision(dialed, decision)) return routeDecision(context, dialed, decision);
          req.log.warn({ context, dialed, decision: decision.kind }, 'dialplan decision with unexpected values: the static dialplan answers');
          return notFound();
        }
      }
      if (body.section === 'dialplan' && context === 'public' && dialed && /^\+?[0-9]{2,20}$/.test(dialed)) {
        const route = sources.queueForNumber(dialed);
        return route ? queueRoute(context, dialed, route.queueId, route.holdMusic) : notFound();
      }
      return notFound();
    });
  });
}
