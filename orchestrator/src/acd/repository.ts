import { randomBytes } from 'node:crypto';
import type { Sql } from '../db/client.ts';
import { hashPassword } from '../auth/password.ts';
import type { AgentConfig, QueueConfig } from './acd.ts';

export interface AgentRecord {
  id: string;
  organizationId: string;
  userId: string;
  login: string;
  displayName: string;
  extension: string;
  queueIds: string[];
}

export interface QueueRecord extends QueueConfig {
  inboundNumber: string | null;
}

export interface NewAgent {
  login: string;
  displayName: string;
  extension: string;
  password: string;
}

export type QueueFields = {
  name: string;
  inboundNumber: string | null;
  ringTimeoutSec: number;
  maxWaitSec: number;
  wrapUpSec: number;
  noAgentsAction: 'wait' | 'announce_hangup';
};

export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}

/** A password for the agent's SIP account, issued by the orchestrator and never typed by a person. */
export function newSipPassword(): string {
  return randomBytes(18).toString('base64url');
}

/** Postgres storage of agents, queues and queue membership (organization-scoped). */
export class AcdRepository {
  constructor(private readonly sql: Sql) {}

  async listAgents(organizationId?: string): Promise<AgentRecord[]> {
    const rows = await this.sql<
      { id: string; organization_id: string; user_id: string; login: string; display_name: string; extension: string; queue_ids: string[] }[]
    >`
      select a.id, a.organization_id, a.user_id, u.login, u.display_name, a.extension,
             coalesce(array_agg(m.queue_id) filter (where m.queue_id is not null), '{}') as queue_ids
      from agents a join users u on u.id = a.user_id left join queue_members m on m.agent_id = a.id
      where ${organizationId ? this.sql`a.organization_id = ${organizationId}` : this.sql`true`}
      group by a.id, u.id order by a.extension`;
    return rows.map((r) => ({
      id: r.id,
      organizationId: r.organization_id,
      userId: r.user_id,
      login: r.login,
      displayName: r.display_name,
      extension: r.extension,
      queueIds: r.queue_ids,
    }));
  }

  async createAgent(organizationId: string, a: NewAgent): Promise<string> {
    const passwordHash = await hashPassword(a.password);
    return this.sql.begin(async (tx) => {
      const [user] = await tx<{ id: string }[]>`
        insert into users (organization_id, login, display_name, role, password_hash)
        values (${organizationId}, ${a.login}, ${a.displayName}, 'agent', ${passwordHash}) returning id`;
      const [agent] = await tx<{ id: string }[]>`
        insert into agents (organization_id, user_id, extension, sip_password)
        values (${organizationId}, ${user!.id}, ${a.extension}, ${newSipPassword()}) returning id`;
      return agent!.id;
    });
  }

  async updateAgent(organizationId: string, agentId: string, patch: Partial<NewAgent>): Promise<void> {
    const passwordHash = patch.password ? await hashPassword(patch.password) : null;
    await this.sql.begin(async (tx) => {
      const [agent] = await tx<{ user_id: string }[]>`
        select user_id from agents where id = ${agentId} and organization_id = ${organizationId} for update`;
      if (!agent) throw new NotFoundError('agent not found');
      if (patch.extension) await tx`update agents set extension = ${patch.extension} where id = ${agentId}`;
      if (patch.displayName) await tx`update users set display_name = ${patch.displayName} where id = ${agent.user_id}`;
      if (passwordHash) {
        await tx`update users set password_hash = ${passwordHash} where id = ${agent.user_id}`;
        await tx`delete from sessions where user_id = ${agent.user_id}`;
      }
    });
  }

  async deleteAgent(organizationId: string, agentId: string): Promise<void> {
    const rows = await this.sql`
      delete from users where id = (select user_id from agents where id = ${agentId} and organization_id = ${organizationId})
      returning id`;
    if (rows.length === 0) throw new NotFoundError('agent not found');
  }

  /** The SIP credentials of an extension in a SIP domain (for the FreeSWITCH directory). */
  async sipAccount(sipDomain: string, extension: string): Promise<{ extension: string; password: string; displayName: string } | null> {
    const [row] = await this.sql<{ extension: string; sip_password: string; display_name: string }[]>`
      select a.extension, a.sip_password, u.display_name
      from agents a join users u on u.id = a.user_id join organizations o on o.id = a.organization_id
      where o.sip_domain = ${sipDomain} and a.extension = ${extension} and not u.disabled`;
    return row ? { extension: row.extension, password: row.sip_password, displayName: row.display_name } : null;
  }

  async sipAccountOfAgent(agentId: string): Promise<{ extension: string; password: string; sipDomain: string } | null> {
    const [row] = await this.sql<{ extension: string; sip_password: string; sip_domain: string }[]>`
      select a.extension, a.sip_password, o.sip_domain from agents a join organizations o on o.id = a.organization_id
      where a.id = ${agentId}`;
    return row ? { extension: row.extension, password: row.sip_password, sipDomain: row.sip_domain } : null;
  }

  async listQueues(organizationId?: string): Promise<QueueRecord[]> {
    const rows = await this.sql<
      {
        id: string;
        organization_id: string;
        name: string;
        inbound_number: string | null;
        ring_timeout_sec: number;
        max_wait_sec: number;
        wrap_up_sec: number;
        no_agents_action: 'wait' | 'announce_hangup';
        member_ids: string[];
      }[]
    >`
      select q.*, coalesce(array_agg(m.agent_id) filter (where m.agent_id is not null), '{}') as member_ids
      from queues q left join queue_members m on m.queue_id = q.id
      where ${organizationId ? this.sql`q.organization_id = ${organizationId}` : this.sql`true`}
      group by q.id order by q.name`;
    return rows.map((r) => ({
      id: r.id,
      organizationId: r.organization_id,
      name: r.name,
      inboundNumber: r.inbound_number,
      ringTimeoutSec: r.ring_timeout_sec,
      maxWaitSec: r.max_wait_sec,
      wrapUpSec: r.wrap_up_sec,
      noAgentsAction: r.no_agents_action,
      memberAgentIds: r.member_ids,
    }));
  }

  async createQueue(organizationId: string, q: QueueFields): Promise<string> {
    const [row] = await this.sql<{ id: string }[]>`
      insert into queues (organization_id, name, inbound_number, ring_timeout_sec, max_wait_sec, wrap_up_sec, no_agents_action)
      values (${organizationId}, ${q.name}, ${q.inboundNumber}, ${q.ringTimeoutSec}, ${q.maxWaitSec}, ${q.wrapUpSec}, ${q.noAgentsAction})
      returning id`;
    return row!.id;
  }

  async updateQueue(organizationId: string, queueId: string, q: Partial<QueueFields>): Promise<void> {
    const columns: Record<string, unknown> = {};
    if (q.name !== undefined) columns.name = q.name;
    if (q.inboundNumber !== undefined) columns.inbound_number = q.inboundNumber;
    if (q.ringTimeoutSec !== undefined) columns.ring_timeout_sec = q.ringTimeoutSec;
    if (q.maxWaitSec !== undefined) columns.max_wait_sec = q.maxWaitSec;
    if (q.wrapUpSec !== undefined) columns.wrap_up_sec = q.wrapUpSec;
    if (q.noAgentsAction !== undefined) columns.no_agents_action = q.noAgentsAction;
    const keys = Object.keys(columns);
    const rows =
      keys.length === 0
        ? await this.sql`select id from queues where id = ${queueId} and organization_id = ${organizationId}`
        : await this.sql`update queues set ${this.sql(columns as never, keys as never)}
                         where id = ${queueId} and organization_id = ${organizationId} returning id`;
    if (rows.length === 0) throw new NotFoundError('queue not found');
  }

  async deleteQueue(organizationId: string, queueId: string): Promise<void> {
    const rows = await this.sql`delete from queues where id = ${queueId} and organization_id = ${organizationId} returning id`;
    if (rows.length === 0) throw new NotFoundError('queue not found');
  }

  /** Replaces a queue's members; every agent must belong to the queue's organization. */
  async setQueueMembers(organizationId: string, queueId: string, agentIds: readonly string[]): Promise<void> {
    await this.sql.begin(async (tx) => {
      const [queue] = await tx`select id from queues where id = ${queueId} and organization_id = ${organizationId} for update`;
      if (!queue) throw new NotFoundError('queue not found');
      const found = await tx<{ id: string }[]>`
        select id from agents where organization_id = ${organizationId} and id = any(${tx.array([...agentIds])}::uuid[])`;
      if (found.length !== new Set(agentIds).size) throw new NotFoundError('unknown agent in member list');
      await tx`delete from queue_members where queue_id = ${queueId}`;
      for (const agentId of new Set(agentIds)) {
        await tx`insert into queue_members (queue_id, agent_id) values (${queueId}, ${agentId})`;
      }
    });
  }

  async agentConfigs(): Promise<AgentConfig[]> {
    return (await this.listAgents()).map((a) => ({
      id: a.id,
      organizationId: a.organizationId,
      name: a.displayName,
      extension: a.extension,
    }));
  }
}
