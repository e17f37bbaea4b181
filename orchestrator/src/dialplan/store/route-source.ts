import type { Logger } from 'pino';
import { compileDialplan, resolveRoute, type CompiledDialplan, type DialplanContext, type RouteDecision } from '../resolve.ts';
import type { DialplanRepository } from './dialplan-repository.ts';

export interface RouteLookup {
  context: DialplanContext;
  destination: string;
  callerNumber: string | null;
  /** The channel's SIP domain (agents' calls), to pick the organization. */
  domain: string | null;
}

/**
 * Answers mod_xml_curl's dialplan questions from the dialplan tables. Each lookup
 * reads the organization's dialplan version with the queues (one round trip); the
 * compiled tables are reused while the version is unchanged, so a change made
 * through the API (which always adds a revision) applies to the very next call.
 */
export class DialplanRouteSource {
  private readonly cache = new Map<string, { version: number; compiled: CompiledDialplan }>();

  constructor(
    private readonly repo: DialplanRepository,
    private readonly defaultOrganizationId: string,
    private readonly logger: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async decide(lookup: RouteLookup): Promise<RouteDecision> {
    const found = await this.repo.routeRefs(lookup.domain, this.defaultOrganizationId, lookup.context === 'default');
    if (!found) return { kind: 'none', reason: 'no organization', via: [] };
    let cached = this.cache.get(found.organizationId);
    if (!cached || cached.version !== found.version) {
      // The version was read before the tables: a change committed in between is picked up on the next lookup.
      cached = { version: found.version, compiled: compileDialplan(await this.repo.load(found.organizationId)) };
      this.cache.set(found.organizationId, cached);
    }
    const decision = resolveRoute(cached.compiled, found.refs, {
      context: lookup.context,
      destination: lookup.destination,
      caller: lookup.callerNumber,
      now: this.now(),
    });
    this.logger.debug({ ...lookup, decision: decision.kind, via: decision.via.map((s) => `${s.kind}:${s.label}`) }, 'dialplan decision');
    return decision;
  }
}
