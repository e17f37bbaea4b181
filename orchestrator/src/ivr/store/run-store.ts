import type { Logger } from 'pino';
import type { Sql } from '../../db/client.ts';
import type { LogEffect, RunState } from '../engine.ts';
import { nodeStatistics, type FlowStatistics, type RunLogEvent } from '../statistics.ts';

export interface RunMeta {
  uuid: string;
  organizationId: string;
  flowId: string;
  flowVersion: number;
  did: string;
  callerNumber: string;
}

interface NodeEventRow {
  organization_id: string;
  flow_id: string;
  flow_version: number;
  call_uuid: string;
  event: 'node_entered' | 'node_exited' | 'run_ended';
  node: string;
  branch: string | null;
  outcome: string | null;
  handed_off: boolean | null;
  at: Date;
}

/**
 * Postgres storage of IVR runs: one row per call (ivr_runs, non-sensitive
 * variables only) and the node events behind per-node statistics. Node events
 * are written in batches; a failed write is retried with the next batch and
 * logged, never thrown into a call.
 */
export class IvrRunStore {
  private batch: NodeEventRow[] = [];
  private flushing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly sql: Sql,
    private readonly logger: Logger,
  ) {}

  async started(run: RunMeta, at: Date): Promise<void> {
    await this.sql`insert into ivr_runs (call_uuid, organization_id, flow_id, flow_version, caller_number, did, started_at)
                   values (${run.uuid}, ${run.organizationId}, ${run.flowId}, ${run.flowVersion}, ${run.callerNumber}, ${run.did}, ${at})
                   on conflict (call_uuid) do nothing`;
  }

  logged(run: RunMeta, logs: readonly LogEffect[], at: Date): void {
    for (const e of logs) {
      if (e.event === 'input_ignored') continue;
      this.batch.push({
        organization_id: run.organizationId,
        flow_id: run.flowId,
        flow_version: run.flowVersion,
        call_uuid: run.uuid,
        event: e.event,
        node: e.node,
        branch: e.event === 'node_exited' ? e.branch : null,
        outcome: e.event === 'run_ended' ? e.outcome : null,
        handed_off: e.event === 'run_ended' ? e.handedOff : null,
        at,
      });
    }
    if (this.batch.length >= 500) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), 200);
  }

  async ended(run: RunMeta, state: RunState, at: Date): Promise<void> {
    const variables: Record<string, string> = {};
    for (const [k, v] of Object.entries(state.variables)) if (!state.sensitive.includes(k)) variables[k] = v;
    await this.sql`update ivr_runs set ended_at = ${at}, outcome = ${state.finished?.outcome ?? null}, detail = ${state.finished?.detail ?? null},
                   path = ${state.path}, variables = ${this.sql.json(variables)} where call_uuid = ${run.uuid}`;
  }

  /** The survey score goes onto the call's CDR (the CDR id is the caller channel's uuid). */
  async surveyAnswered(callUuid: string, score: number, flowId: string): Promise<void> {
    await this.sql`update cdrs set survey_score = ${score}, ivr_flow_id = ${flowId} where id = ${callUuid}`;
  }

  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.flushing) await this.flushing;
    if (this.batch.length === 0) return;
    const rows = this.batch;
    this.batch = [];
    this.flushing = this.sql`insert into ivr_node_events ${this.sql(rows)}`
      .then(() => undefined)
      .catch((err: unknown) => {
        this.logger.error({ err, events: rows.length }, 'IVR node events not stored; retrying with the next batch');
        this.batch = [...rows, ...this.batch].slice(-50_000);
      })
      .finally(() => (this.flushing = null));
    await this.flushing;
  }

  /** Per-node statistics of a flow (all versions, or one) over a period. */
  async statistics(organizationId: string, flowId: string, o: { from: Date; to: Date; version?: number }): Promise<FlowStatistics> {
    await this.flush();
    const rows = await this.sql<{ call_uuid: string; event: NodeEventRow['event']; node: string; branch: string | null; outcome: string | null; handed_off: boolean | null }[]>`
      select call_uuid, event, node, branch, outcome, handed_off from ivr_node_events
      where organization_id = ${organizationId} and flow_id = ${flowId} and at >= ${o.from} and at < ${o.to}
        ${o.version === undefined ? this.sql`` : this.sql`and flow_version = ${o.version}`}
      order by id`;
    return nodeStatistics(rows.map(toRunLogEvent));
  }
}

function toRunLogEvent(r: { call_uuid: string; event: NodeEventRow['event']; node: string; branch: string | null; outcome: string | null; handed_off: boolean | null }): RunLogEvent {
  if (r.event === 'node_entered') return { kind: 'log', event: 'node_entered', node: r.node, runId: r.call_uuid };
  if (r.event === 'node_exited') return { kind: 'log', event: 'node_exited', node: r.node, branch: r.branch ?? '', runId: r.call_uuid };
  return { kind: 'log', event: 'run_ended', node: r.node, outcome: (r.outcome ?? 'error') as Extract<LogEffect, { event: 'run_ended' }>['outcome'], handedOff: r.handed_off ?? false, runId: r.call_uuid };
}
