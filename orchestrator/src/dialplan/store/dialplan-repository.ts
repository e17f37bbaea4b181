import type postgres from 'postgres';
import type { Sql } from '../../db/client.ts';
import { KIND_INFO, type Dialplan, type DialplanItem, type DialplanKind } from '../model.ts';
import type { Revision } from '../changes.ts';
import type { DialplanRefs } from '../validate.ts';
import type { RouteRefs } from '../resolve.ts';

type Db = Sql | postgres.TransactionSql;
type Row = Record<string, unknown>;

/** Per kind: its table, how rows are read back as items, and which columns an item writes. */
const TABLES: Record<DialplanKind, { table: string; order: string; columns: (item: DialplanItem, sql: Db) => Row; item: (r: Row) => unknown }> = {
  inboundNumbers: {
    table: 'dialplan_inbound_numbers',
    order: 'position, seq',
    columns: (i, sql) => {
      const x = i as Dialplan['inboundNumbers'][number];
      return { number: x.number, position: x.position, target: sql.json(x.target as never), enabled: x.enabled, description: x.description };
    },
    item: (r) => ({ id: r.id, number: r.number, position: r.position, target: r.target, enabled: r.enabled, description: r.description }),
  },
  extensions: {
    table: 'dialplan_extensions',
    order: 'extension',
    columns: (i, sql) => {
      const x = i as Dialplan['extensions'][number];
      return { extension: x.extension, target: sql.json(x.target as never), enabled: x.enabled, description: x.description };
    },
    item: (r) => ({ id: r.id, extension: r.extension, target: r.target, enabled: r.enabled, description: r.description }),
  },
  outboundRoutes: {
    table: 'dialplan_outbound_routes',
    order: 'position, seq',
    columns: (i, sql) => {
      const x = i as Dialplan['outboundRoutes'][number];
      return {
        pattern: x.pattern, position: x.position, gateway: x.gateway, strip_digits: x.stripDigits, prepend: x.prepend,
        caller_id: sql.json(x.callerId as never), enabled: x.enabled, description: x.description,
      };
    },
    item: (r) => ({
      id: r.id, pattern: r.pattern, position: r.position, gateway: r.gateway, stripDigits: r.strip_digits, prepend: r.prepend,
      callerId: r.caller_id, enabled: r.enabled, description: r.description,
    }),
  },
  blacklist: {
    table: 'dialplan_blacklist',
    order: 'position, seq',
    columns: (i) => {
      const x = i as Dialplan['blacklist'][number];
      return { number: x.number, position: x.position, action: x.action, reason: x.reason, expires_at: x.expiresAt, enabled: x.enabled };
    },
    item: (r) => ({
      id: r.id, number: r.number, position: r.position, action: r.action, reason: r.reason,
      expiresAt: r.expires_at instanceof Date ? r.expires_at.toISOString() : null, enabled: r.enabled,
    }),
  },
};

/** Stored rows go through the item schema: what the rest of the code sees has the validated shape. */
export function parseItem(kind: DialplanKind, value: unknown): DialplanItem {
  return KIND_INFO[kind].item.parse(value) as DialplanItem;
}

export interface RevisionRow extends Revision {
  actorUserId: string | null;
  actorLogin: string | null;
  reverts: number | null;
  revertedBy: number | null;
  at: string;
}

/**
 * Postgres storage of the dialplan tables and their revisions (organization-scoped).
 * Writes go through `transaction`, which serialises an organization's dialplan
 * changes so each is validated against the state it applies to.
 */
export class DialplanRepository {
  constructor(private readonly sql: Sql) {}

  async load(organizationId: string, db: Db = this.sql): Promise<Dialplan> {
    const out = {} as Record<DialplanKind, DialplanItem[]>;
    for (const kind of Object.keys(TABLES) as DialplanKind[]) {
      const t = TABLES[kind];
      const rows = await db.unsafe(`select * from ${t.table} where organization_id = $1 order by ${t.order}`, [organizationId]);
      out[kind] = rows.map((r) => parseItem(kind, t.item(r)));
    }
    return out as unknown as Dialplan;
  }

  /** The current revision number: changes whenever the dialplan does (the route cache's key). */
  async version(organizationId: string, db: Db = this.sql): Promise<number> {
    const [row] = await db<{ v: string }[]>`select coalesce(max(id), 0) as v from dialplan_revisions where organization_id = ${organizationId}`;
    return Number(row!.v);
  }

  /** Queues, IVR flows and agents of the organization, for validation. */
  async refs(organizationId: string, gateways: readonly string[], now: Date, db: Db = this.sql): Promise<DialplanRefs> {
    const queues = await db<{ id: string; name: string; inbound_number: string | null }[]>`
      select id, name, inbound_number from queues where organization_id = ${organizationId}`;
    const flows = await db<{ id: string; name: string; published_version: number | null }[]>`
      select id, name, published_version from ivr_flows where organization_id = ${organizationId}`;
    const agents = await db<{ id: string; extension: string; display_name: string }[]>`
      select a.id, a.extension, u.display_name from agents a join users u on u.id = a.user_id where a.organization_id = ${organizationId}`;
    return {
      queues: queues.map((q) => ({ id: q.id, name: q.name, inboundNumber: q.inbound_number })),
      flows: flows.map((f) => ({ id: f.id, name: f.name, published: f.published_version !== null })),
      agents: agents.map((a) => ({ id: a.id, extension: a.extension, name: a.display_name })),
      gateways,
      now,
    };
  }

  /**
   * What routing a call needs, in one round trip: the organization (by SIP domain,
   * else the default one), the dialplan version, queues and, when asked, agents.
   */
  async routeRefs(domain: string | null, defaultOrganizationId: string, withAgents: boolean): Promise<{ organizationId: string; version: number; refs: RouteRefs } | null> {
    const sql = this.sql;
    const [row] = await sql<{ id: string; sip_domain: string; version: string; queues: RouteRefs['queues']; agents: RouteRefs['agents'] }[]>`
      with org as (
        select id, sip_domain from organizations
        where id = coalesce((select id from organizations where sip_domain = ${domain ?? ''}), ${defaultOrganizationId})
      )
      select org.id, org.sip_domain,
        (select coalesce(max(r.id), 0) from dialplan_revisions r where r.organization_id = org.id) as version,
        (select coalesce(json_agg(json_build_object('id', q.id, 'name', q.name, 'inboundNumber', q.inbound_number, 'holdMusic', q.hold_music)), '[]')
           from queues q where q.organization_id = org.id) as queues,
        ${withAgents
          ? sql`(select coalesce(json_agg(json_build_object('id', a.id, 'extension', a.extension, 'name', u.display_name)), '[]')
                   from agents a join users u on u.id = a.user_id where a.organization_id = org.id and not u.disabled)`
          : sql`'[]'::json`} as agents
      from org`;
    if (!row) return null;
    return { organizationId: row.id, version: Number(row.version), refs: { queues: row.queues, agents: row.agents, sipDomain: row.sip_domain } };
  }

  /** Runs `fn` in a transaction holding the organization's dialplan lock. */
  transaction<T>(organizationId: string, fn: (tx: postgres.TransactionSql) => Promise<T>): Promise<T> {
    return this.sql.begin(async (tx) => {
      await tx`select pg_advisory_xact_lock(hashtextextended(${`dialplan:${organizationId}`}, 0))`;
      return fn(tx);
    }) as Promise<T>;
  }

  async put(tx: Db, organizationId: string, kind: DialplanKind, item: DialplanItem, exists: boolean): Promise<void> {
    const t = TABLES[kind];
    const columns = t.columns(item, tx);
    if (exists) {
      const row = { ...columns, updated_at: new Date() };
      await tx`update ${tx(t.table)} set ${tx(row as never, Object.keys(row) as never)} where id = ${item.id} and organization_id = ${organizationId}`;
    } else {
      const row = { id: item.id, organization_id: organizationId, ...columns };
      await tx`insert into ${tx(t.table)} ${tx(row as never, Object.keys(row) as never)}`;
    }
  }

  async remove(tx: Db, organizationId: string, kind: DialplanKind, id: string): Promise<void> {
    await tx`delete from ${tx(TABLES[kind].table)} where id = ${id} and organization_id = ${organizationId}`;
  }

  /** Replaces the whole dialplan (import, revert of an import): deletes, then inserts in list order. */
  async replaceAll(tx: Db, organizationId: string, d: Dialplan): Promise<void> {
    for (const kind of Object.keys(TABLES) as DialplanKind[]) {
      await tx`delete from ${tx(TABLES[kind].table)} where organization_id = ${organizationId}`;
    }
    for (const kind of Object.keys(TABLES) as DialplanKind[]) {
      for (const item of d[kind] as DialplanItem[]) await this.put(tx, organizationId, kind, item, false);
    }
  }

  async addRevision(
    tx: Db,
    organizationId: string,
    r: { actorUserId: string | null; kind: Revision['kind']; itemId: string | null; action: Revision['action']; before: unknown; after: unknown; reverts?: number | null },
  ): Promise<number> {
    const [row] = await tx<{ id: string }[]>`
      insert into dialplan_revisions (organization_id, actor_user_id, kind, item_id, action, before, after, reverts)
      values (${organizationId}, ${r.actorUserId}, ${r.kind}, ${r.itemId}, ${r.action},
              ${r.before === null ? null : tx.json(r.before as never)}, ${r.after === null ? null : tx.json(r.after as never)}, ${r.reverts ?? null})
      returning id`;
    return Number(row!.id);
  }

  async revision(organizationId: string, id: number, db: Db = this.sql): Promise<RevisionRow | null> {
    const rows = await this.revisionRows(db, organizationId, { id });
    return rows[0] ?? null;
  }

  async revisions(organizationId: string, o: { limit: number; beforeId?: number | undefined; itemId?: string | undefined }): Promise<RevisionRow[]> {
    return this.revisionRows(this.sql, organizationId, o);
  }

  private async revisionRows(db: Db, organizationId: string, o: { id?: number; limit?: number; beforeId?: number | undefined; itemId?: string | undefined }): Promise<RevisionRow[]> {
    const rows = await db<
      { id: string; kind: Revision['kind']; item_id: string | null; action: Revision['action']; before: unknown; after: unknown; reverts: string | null; reverted_by: string | null; actor_user_id: string | null; login: string | null; at: Date }[]
    >`
      select r.id, r.kind, r.item_id, r.action, r.before, r.after, r.reverts, r.actor_user_id, u.login, r.at,
             (select max(x.id) from dialplan_revisions x where x.reverts = r.id) as reverted_by
      from dialplan_revisions r left join users u on u.id = r.actor_user_id
      where r.organization_id = ${organizationId}
        ${o.id !== undefined ? db`and r.id = ${o.id}` : db``}
        ${o.beforeId !== undefined ? db`and r.id < ${o.beforeId}` : db``}
        ${o.itemId !== undefined ? db`and r.item_id = ${o.itemId}` : db``}
      order by r.id desc
      limit ${o.limit ?? 1}`;
    return rows.map((r) => ({
      id: Number(r.id),
      kind: r.kind,
      itemId: r.item_id,
      action: r.action,
      before: r.before,
      after: r.after,
      reverts: r.reverts === null ? null : Number(r.reverts),
      revertedBy: r.reverted_by === null ? null : Number(r.reverted_by),
      actorUserId: r.actor_user_id,
      actorLogin: r.login,
      at: r.at.toISOString(),
    }));
  }
}
