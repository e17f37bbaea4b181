import type { Logger } from 'pino';
import type { Sql } from '../db/client.ts';
import { AGENT_STATUSES, type AgentState, type AgentStatus } from './agent-state.ts';

/**
 * Persists agent states: the current state of each agent (rebuilt after an
 * orchestrator restart) and the log of every state (reports). Writes are queued
 * in order per agent and retried, so a slow database never blocks routing.
 */
export class AgentStateStore {
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly sql: Sql,
    private readonly logger: Logger,
  ) {}

  record(state: AgentState): void {
    const since = new Date(state.since);
    this.chain = this.chain.then(async () => {
      for (let attempt = 0; attempt < 5; attempt++) {
        try {
          await this.sql.begin(async (tx) => {
            await tx`insert into agent_states (agent_id, status, reason, since) values (${state.agentId}, ${state.status}, ${state.reason}, ${since})
                     on conflict (agent_id) do update set status = excluded.status, reason = excluded.reason, since = excluded.since`;
            await tx`insert into agent_state_log (agent_id, status, reason, started_at) values (${state.agentId}, ${state.status}, ${state.reason}, ${since})`;
          });
          return;
        } catch (err) {
          if ((err as { code?: string }).code === '23503') return; // the agent was deleted meanwhile
          this.logger.warn({ err, agentId: state.agentId, attempt }, 'agent state write failed');
          await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
        }
      }
    });
  }

  flush(): Promise<void> {
    return this.chain;
  }

  async load(): Promise<AgentState[]> {
    const rows = await this.sql<{ agent_id: string; status: string; reason: string | null; since: Date }[]>`select * from agent_states`;
    return rows
      .filter((r) => (AGENT_STATUSES as readonly string[]).includes(r.status))
      .map((r) => ({ agentId: r.agent_id, status: r.status as AgentStatus, reason: r.reason, since: r.since.getTime(), callId: null }));
  }
}
