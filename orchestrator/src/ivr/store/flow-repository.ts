import type { Sql } from '../../db/client.ts';
import { NotFoundError } from '../../acd/repository.ts';

export interface FlowSummary {
  id: string;
  name: string;
  publishedVersion: number | null;
  draftVersion: number | null;
  versions: { version: number; status: 'draft' | 'published'; createdAt: string; publishedAt: string | null }[];
}

export class FlowStateError extends Error {
  override readonly name = 'FlowStateError';
}

/**
 * Versioned IVR flows in Postgres. Definitions are validated (parseFlow) before
 * they reach this class. A flow has one editable draft at most; publishing
 * freezes it (the database refuses to change published versions) and points
 * new calls at it; rollback points new calls at an earlier published version.
 */
export class FlowRepository {
  constructor(private readonly sql: Sql) {}

  async list(organizationId: string): Promise<FlowSummary[]> {
    const flows = await this.sql<{ id: string; name: string; published_version: number | null }[]>`
      select id, name, published_version from ivr_flows where organization_id = ${organizationId} order by name`;
    return Promise.all(flows.map((f) => this.summary(organizationId, f.id)));
  }

  async summary(organizationId: string, flowId: string): Promise<FlowSummary> {
    const [flow] = await this.sql<{ id: string; name: string; published_version: number | null }[]>`
      select id, name, published_version from ivr_flows where id = ${flowId} and organization_id = ${organizationId}`;
    if (!flow) throw new NotFoundError('flow not found');
    const versions = await this.sql<{ version: number; status: 'draft' | 'published'; created_at: Date; published_at: Date | null }[]>`
      select version, status, created_at, published_at from ivr_flow_versions where flow_id = ${flowId} order by version`;
    return {
      id: flow.id,
      name: flow.name,
      publishedVersion: flow.published_version,
      draftVersion: versions.find((v) => v.status === 'draft')?.version ?? null,
      versions: versions.map((v) => ({ version: v.version, status: v.status, createdAt: v.created_at.toISOString(), publishedAt: v.published_at?.toISOString() ?? null })),
    };
  }

  async create(organizationId: string, name: string, definition: unknown, userId: string): Promise<string> {
    return this.sql.begin(async (tx) => {
      const [flow] = await tx<{ id: string }[]>`insert into ivr_flows (organization_id, name) values (${organizationId}, ${name}) returning id`;
      await tx`insert into ivr_flow_versions (flow_id, version, status, definition, created_by)
               values (${flow!.id}, 1, 'draft', ${tx.json(definition as never)}, ${userId})`;
      return flow!.id;
    });
  }

  /** Saves the draft (creating the next version number if the flow has no draft). */
  async saveDraft(organizationId: string, flowId: string, definition: unknown, userId: string): Promise<number> {
    return this.sql.begin(async (tx) => {
      const [flow] = await tx`select id from ivr_flows where id = ${flowId} and organization_id = ${organizationId} for update`;
      if (!flow) throw new NotFoundError('flow not found');
      const [draft] = await tx<{ version: number }[]>`
        update ivr_flow_versions set definition = ${tx.json(definition as never)}, created_by = ${userId}, created_at = now()
        where flow_id = ${flowId} and status = 'draft' returning version`;
      if (draft) return draft.version;
      const [next] = await tx<{ v: number }[]>`select coalesce(max(version), 0) + 1 as v from ivr_flow_versions where flow_id = ${flowId}`;
      await tx`insert into ivr_flow_versions (flow_id, version, status, definition, created_by) values (${flowId}, ${next!.v}, 'draft', ${tx.json(definition as never)}, ${userId})`;
      return next!.v;
    });
  }

  /** Publishes the draft: it becomes immutable and the version new calls start on. */
  async publishDraft(organizationId: string, flowId: string): Promise<number> {
    return this.sql.begin(async (tx) => {
      const [flow] = await tx`select id from ivr_flows where id = ${flowId} and organization_id = ${organizationId} for update`;
      if (!flow) throw new NotFoundError('flow not found');
      const [draft] = await tx<{ version: number }[]>`
        update ivr_flow_versions set status = 'published', published_at = now() where flow_id = ${flowId} and status = 'draft' returning version`;
      if (!draft) throw new FlowStateError('there is no draft to publish');
      await tx`update ivr_flows set published_version = ${draft.version} where id = ${flowId}`;
      return draft.version;
    });
  }

  /** Points new calls at an earlier published version. */
  async rollback(organizationId: string, flowId: string, version: number): Promise<void> {
    await this.sql.begin(async (tx) => {
      const [v] = await tx`select v.version from ivr_flow_versions v join ivr_flows f on f.id = v.flow_id
                           where f.id = ${flowId} and f.organization_id = ${organizationId} and v.version = ${version} and v.status = 'published'`;
      if (!v) throw new NotFoundError(`no published version ${version} of this flow`);
      await tx`update ivr_flows set published_version = ${version} where id = ${flowId}`;
    });
  }

  /** A version's definition (export), or the published one. */
  async definition(organizationId: string, flowId: string, version: number | 'published'): Promise<{ version: number; definition: unknown }> {
    const rows = await this.sql<{ version: number; definition: unknown }[]>`
      select v.version, v.definition from ivr_flow_versions v join ivr_flows f on f.id = v.flow_id
      where f.id = ${flowId} and f.organization_id = ${organizationId}
        and v.version = ${version === 'published' ? this.sql`f.published_version` : version}`;
    if (!rows[0]) throw new NotFoundError('flow version not found');
    return rows[0];
  }

  /** The version new calls use (the published one), for the runtime: any organization, by flow id. */
  async publishedForCall(flowId: string): Promise<{ organizationId: string; version: number; definition: unknown } | null> {
    const [row] = await this.sql<{ organization_id: string; version: number; definition: unknown }[]>`
      select f.organization_id, v.version, v.definition from ivr_flows f
      join ivr_flow_versions v on v.flow_id = f.id and v.version = f.published_version
      where f.id = ${flowId}`;
    return row ? { organizationId: row.organization_id, version: row.version, definition: row.definition } : null;
  }
}
