import { randomBytes } from 'node:crypto';
import type { Sql } from '../db/client.ts';
import { hashPassword } from '../auth/password.ts';
import type { AgentConfig, QueueConfig, QueueMemberConfig, QueueSettings } from './config.ts';
import type { Calendar } from './calendar.ts';

export interface AgentRecord {
  id: string;
  organizationId: string;
  userId: string;
  login: string;
  displayName: string;
  extension: string;
  queueIds: string[];
}

export interface NewAgent {
  login: string;
  displayName: string;
  extension: string;
  password: string;
}

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

  async listQueues(organizationId?: string): Promise<QueueConfig[]> {
    const rows = await this.sql<Record<string, unknown>[]>`
      select q.*, coalesce(json_agg(json_build_object('agentId', m.agent_id, 'tier', m.tier, 'position', m.position)
                               order by m.tier, m.position) filter (where m.agent_id is not null), '[]') as members
      from queues q left join queue_members m on m.queue_id = q.id
      where ${organizationId ? this.sql`q.organization_id = ${organizationId}` : this.sql`true`}
      group by q.id order by q.name`;
    return rows.map((r) => {
      const settings = Object.fromEntries(QUEUE_COLUMNS.map(([field, column]) => [field, r[column]])) as unknown as QueueSettings;
      return { ...settings, id: r.id as string, organizationId: r.organization_id as string, members: r.members as QueueMemberConfig[] };
    });
  }

  async createQueue(organizationId: string, q: QueueSettings): Promise<string> {
    const row = { organization_id: organizationId, ...toColumns(this.sql, q) };
    const [created] = await this.sql<{ id: string }[]>`
      insert into queues ${this.sql(row as never, Object.keys(row) as never)} returning id`;
    return created!.id;
  }

  async updateQueue(organizationId: string, queueId: string, q: Partial<QueueSettings>): Promise<void> {
    const columns = toColumns(this.sql, q);
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

  /** Replaces a queue's members (with tier and position); every agent must belong to the queue's organization. */
  async setQueueMembers(organizationId: string, queueId: string, members: readonly QueueMemberConfig[]): Promise<void> {
    await this.sql.begin(async (tx) => {
      const [queue] = await tx`select id from queues where id = ${queueId} and organization_id = ${organizationId} for update`;
      if (!queue) throw new NotFoundError('queue not found');
      const ids = [...new Set(members.map((m) => m.agentId))];
      if (ids.length !== members.length) throw new NotFoundError('an agent is listed twice');
      const found = await tx<{ id: string }[]>`
        select id from agents where organization_id = ${organizationId} and id = any(${tx.array(ids)}::uuid[])`;
      if (found.length !== ids.length) throw new NotFoundError('unknown agent in member list');
      await tx`delete from queue_members where queue_id = ${queueId}`;
      for (const m of members) {
        await tx`insert into queue_members (queue_id, agent_id, tier, position) values (${queueId}, ${m.agentId}, ${m.tier}, ${m.position})`;
      }
    });
  }

  /** Replaces an agent's skills. */
  async setAgentSkills(organizationId: string, agentId: string, skills: readonly { skill: string; level: number }[]): Promise<void> {
    await this.sql.begin(async (tx) => {
      const [agent] = await tx`select id from agents where id = ${agentId} and organization_id = ${organizationId} for update`;
      if (!agent) throw new NotFoundError('agent not found');
      await tx`delete from agent_skills where agent_id = ${agentId}`;
      for (const s of skills) await tx`insert into agent_skills (agent_id, skill, level) values (${agentId}, ${s.skill}, ${s.level})`;
    });
  }

  async listCalendars(organizationId?: string): Promise<(Calendar & { id: string; organizationId: string })[]> {
    const rows = await this.sql<{ id: string; organization_id: string; name: string; timezone: string; weekly: Calendar['weekly']; exceptions: Calendar['exceptions'] }[]>`
      select * from calendars where ${organizationId ? this.sql`organization_id = ${organizationId}` : this.sql`true`} order by name`;
    return rows.map((r) => ({ id: r.id, organizationId: r.organization_id, name: r.name, timezone: r.timezone, weekly: r.weekly, exceptions: r.exceptions }));
  }

  async saveCalendar(organizationId: string, id: string | null, c: Calendar): Promise<string> {
    if (id === null) {
      const [row] = await this.sql<{ id: string }[]>`
        insert into calendars (organization_id, name, timezone, weekly, exceptions)
        values (${organizationId}, ${c.name}, ${c.timezone}, ${this.sql.json(c.weekly as never)}, ${this.sql.json(c.exceptions as never)}) returning id`;
      return row!.id;
    }
    const rows = await this.sql`
      update calendars set name = ${c.name}, timezone = ${c.timezone}, weekly = ${this.sql.json(c.weekly as never)}, exceptions = ${this.sql.json(c.exceptions as never)}
      where id = ${id} and organization_id = ${organizationId} returning id`;
    if (rows.length === 0) throw new NotFoundError('calendar not found');
    return id;
  }

  async deleteCalendar(organizationId: string, id: string): Promise<void> {
    const rows = await this.sql`delete from calendars where id = ${id} and organization_id = ${organizationId} returning id`;
    if (rows.length === 0) throw new NotFoundError('calendar not found');
  }

  async notReadyReasons(organizationId: string): Promise<{ code: string; labelZh: string; labelEn: string }[]> {
    return [
      ...(await this.sql<{ code: string; labelZh: string; labelEn: string }[]>`
        select code, label_zh as "labelZh", label_en as "labelEn" from not_ready_reasons
        where organization_id = ${organizationId} order by code`),
    ];
  }

  async saveNotReadyReason(organizationId: string, r: { code: string; labelZh: string; labelEn: string }): Promise<void> {
    await this.sql`insert into not_ready_reasons (organization_id, code, label_zh, label_en) values (${organizationId}, ${r.code}, ${r.labelZh}, ${r.labelEn})
                   on conflict (organization_id, code) do update set label_zh = excluded.label_zh, label_en = excluded.label_en`;
  }

  async deleteNotReadyReason(organizationId: string, code: string): Promise<void> {
    const rows = await this.sql`delete from not_ready_reasons where organization_id = ${organizationId} and code = ${code} returning code`;
    if (rows.length === 0) throw new NotFoundError('reason not found');
  }

  async agentConfigs(): Promise<AgentConfig[]> {
    const skills = await this.sql<{ agent_id: string; skill: string; level: number }[]>`select * from agent_skills`;
    const byAgent = new Map<string, Map<string, number>>();
    for (const s of skills) byAgent.set(s.agent_id, (byAgent.get(s.agent_id) ?? new Map()).set(s.skill, s.level));
    return (await this.listAgents()).map((a) => ({
      id: a.id,
      organizationId: a.organizationId,
      name: a.displayName,
      extension: a.extension,
      skills: byAgent.get(a.id) ?? new Map(),
    }));
  }
}

/** QueueSettings field -> queues column. */
const QUEUE_COLUMNS = [
  ['name', 'name'], ['inboundNumber', 'inbound_number'], ['strategy', 'strategy'], ['ringTimeoutSec', 'ring_timeout_sec'],
  ['maxWaitSec', 'max_wait_sec'], ['maxLength', 'max_length'], ['wrapUpSec', 'wrap_up_sec'], ['serviceLevelSec', 'service_level_sec'],
  ['shortAbandonSec', 'short_abandon_sec'], ['announceEverySec', 'announce_every_sec'], ['ringProgressivelyStepSec', 'ring_progressively_step_sec'],
  ['stickyAgentSec', 'sticky_agent_sec'], ['maxNoAnswer', 'max_no_answer'], ['skillRules', 'skill_rules'], ['noAgentsAction', 'no_agents_action'], ['holdMusic', 'hold_music'],
  ['overflowAction', 'overflow_action'], ['overflowTarget', 'overflow_target'], ['callbackEnabled', 'callback_enabled'],
  ['callbackDigit', 'callback_digit'], ['calendarId', 'calendar_id'], ['closedAction', 'closed_action'], ['closedTarget', 'closed_target'],
] as const satisfies readonly (readonly [keyof QueueSettings, string])[];

function toColumns(sql: Sql, q: Partial<QueueSettings>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, column] of QUEUE_COLUMNS) {
    const v = q[field];
    if (v === undefined) continue;
    out[column] = field === 'skillRules' ? sql.json(v as never) : v;
  }
  return out;
}
