import type { Logger } from 'pino';
import type { CallSignal } from '../../calls/signals.ts';
import { parseFlow, type Flow, type HttpRequest, type LogEffect, type RunState } from '../index.ts';
import type { IvrRunStore } from '../store/run-store.ts';
import { IvrCall, type HttpAnswer, type IvrCallInfo } from './ivr-call.ts';
import type { FreeswitchIvrSwitch } from './ivr-switch.ts';
import type { PromptSource } from './prompt-source.ts';

export interface PublishedFlowSource {
  publishedForCall(flowId: string): Promise<{ organizationId: string; version: number; definition: unknown } | null>;
}

export interface IvrRuntimeDeps {
  sw: FreeswitchIvrSwitch;
  flows: PublishedFlowSource;
  prompts: PromptSource;
  store: IvrRunStore;
  /** Admin switches (e.g. an outage notice) handed to every run as variables. */
  switches(organizationId: string): Promise<Record<string, string>>;
  /** The file a voicemail of this mailbox and call is recorded into (its folder must exist: see ../../voicemail/). */
  voicemailFile(mailbox: string, callUuid: string): string;
  http?: (request: HttpRequest) => Promise<HttpAnswer>;
  /** Told when the system answered a caller with a flow and when that caller's channel ended (call recording's start point). */
  calls?: { answered(call: IvrCallInfo): void; ended(uuid: string): void };
  clock?: () => number;
  logger: Logger;
}

const MAX_HTTP_BODY = 64 * 1024;

/** The http node's request with fetch: its timeout, at most 64 KiB of answer, no redirects to follow blindly. */
export async function fetchForIvr(request: HttpRequest): Promise<HttpAnswer> {
  const res = await fetch(request.url, {
    method: request.method,
    headers: { ...request.headers, ...(request.body ? { 'content-type': 'application/json' } : {}) },
    body: request.body ? JSON.stringify(request.body) : undefined,
    signal: AbortSignal.timeout(request.timeoutMs),
    redirect: 'manual',
  });
  const text = await res.text();
  if (text.length > MAX_HTTP_BODY) throw new Error(`answer larger than ${MAX_HTTP_BODY} bytes`);
  return { status: res.status, body: text };
}

/**
 * Runs IVR flows on live calls. Choice: uuid commands (`sendmsg` execute) on the
 * one inbound Event Socket connection, not an outbound socket per call: callers
 * stay parked in FreeSWITCH if the orchestrator restarts, there is one
 * authenticated link to watch (with its reconnect/resync), and the ESL client,
 * events and tests are shared with the ACD. Isolation is per call anyway: each
 * call is its own IvrCall with its own waits and time limits, and a failure
 * ends that call's run only.
 */
export class IvrRuntime {
  private readonly calls = new Map<string, IvrCall>();
  /** Callers answered by a flow whose channel has not ended yet. */
  private readonly answered = new Set<string>();
  /** Calls whose flow is being loaded; true once the caller hung up meanwhile. */
  private readonly starting = new Map<string, boolean>();
  private readonly parsed = new Map<string, Flow>();
  private readonly clock: () => number;

  constructor(private readonly deps: IvrRuntimeDeps) {
    this.clock = deps.clock ?? Date.now;
  }

  get activeCalls(): number {
    return this.calls.size;
  }

  handle(signal: CallSignal): void {
    this.deps.sw.handle(signal);
    if (signal.kind === 'ivr_entered') void this.begin(signal);
    else if (signal.kind === 'channel_hangup') {
      if (this.starting.has(signal.uuid)) this.starting.set(signal.uuid, true);
      const call = this.calls.get(signal.uuid);
      if (call) {
        this.calls.delete(signal.uuid);
        call.hungUp();
      }
      if (this.answered.delete(signal.uuid)) this.deps.calls?.ended(signal.uuid);
    }
  }

  isRunning(uuid: string): boolean {
    return this.calls.has(uuid) || this.starting.has(uuid);
  }

  /** The agent left a call whose caller stays in the flow (e.g. for the survey). */
  agentLeft(callUuid: string): void {
    this.calls.get(callUuid)?.agentLeft();
  }

  /** The switch link is gone: every wait ends (calls stay parked in FreeSWITCH). */
  switchLost(): void {
    this.deps.sw.cancelChannel(null);
  }

  async stop(): Promise<void> {
    for (const call of this.calls.values()) call.detach();
    this.calls.clear();
    await this.deps.store.flush();
  }

  private async flow(flowId: string): Promise<{ flow: Flow; organizationId: string; version: number } | null> {
    const published = await this.deps.flows.publishedForCall(flowId);
    if (!published) return null;
    const key = `${flowId}@${published.version}`;
    let flow = this.parsed.get(key);
    if (!flow) {
      const result = parseFlow(published.definition);
      if (!result.ok) throw new Error(`published flow ${key} no longer validates: ${result.errors.join('; ')}`);
      flow = { ...result.flow, id: flowId, version: published.version };
      if (this.parsed.size > 200) this.parsed.clear();
      this.parsed.set(key, flow);
    }
    return { flow, organizationId: published.organizationId, version: published.version };
  }

  private async begin(s: Extract<CallSignal, { kind: 'ivr_entered' }>): Promise<void> {
    if (this.calls.has(s.uuid) || this.starting.has(s.uuid)) return;
    const logger = this.deps.logger.child({ uuid: s.uuid, flowId: s.flowId });
    this.starting.set(s.uuid, false);
    let loaded: Awaited<ReturnType<IvrRuntime['flow']>> = null;
    let switches: Record<string, string> = {};
    try {
      loaded = await this.flow(s.flowId);
      if (loaded) {
        switches = await this.deps.switches(loaded.organizationId).catch((err: unknown) => {
          logger.warn({ err }, 'IVR switches unavailable');
          return {};
        });
      }
    } catch (err) {
      logger.error({ err }, 'IVR flow unusable');
    }
    const hungUpMeanwhile = this.starting.get(s.uuid) === true;
    this.starting.delete(s.uuid);
    if (hungUpMeanwhile) return;
    if (!loaded) {
      logger.warn('no published IVR flow for this call; sending it to the not-in-service announcement');
      await this.deps.sw.transfer(s.uuid, 'cc_not_in_service', 'cc_diversions').catch((err: unknown) => logger.warn({ err }, 'could not divert the call'));
      return;
    }
    const info: IvrCallInfo = { uuid: s.uuid, organizationId: loaded.organizationId, flowId: s.flowId, flowVersion: loaded.version, did: s.dialedNumber, callerNumber: s.callerNumber };
    const flow = loaded.flow;
    const call = new IvrCall(
      info,
      flow,
      {
        sw: this.deps.sw,
        prompts: this.deps.prompts,
        http: this.deps.http ?? fetchForIvr,
        voicemailFile: this.deps.voicemailFile,
        clock: this.clock,
        logger,
        listener: {
          effects: (c, logs, state) => this.logged(flow, c, logs, state),
          ended: (c, state) => {
            void this.deps.store.ended(c, state, new Date(this.clock())).catch((err: unknown) => logger.error({ err }, 'IVR run end not stored'));
          },
        },
      },
      { ...switches, did: s.dialedNumber, caller_name: s.callerName },
    );
    this.calls.set(s.uuid, call);
    this.answered.add(s.uuid);
    this.deps.calls?.answered(info);
    await this.deps.store.started(info, new Date(this.clock())).catch((err: unknown) => logger.error({ err }, 'IVR run not stored'));
    try {
      await call.run();
    } finally {
      // Handed off for good (queue/transfer without afterCall) or ended: nothing more to do here.
      if (this.calls.get(s.uuid) === call && call.finished) this.calls.delete(s.uuid);
    }
  }

  private logged(flow: Flow, call: IvrCallInfo, logs: readonly LogEffect[], state: RunState): void {
    this.deps.store.logged(call, logs, new Date(this.clock()));
    for (const e of logs) {
      if (e.event !== 'node_exited' || e.branch !== 'answered') continue;
      const node = flow.nodes[e.node];
      if (node?.type !== 'survey') continue;
      const score = Number(state.variables[node.variable]);
      if (Number.isInteger(score)) {
        void this.deps.store.surveyAnswered(call.uuid, score, call.flowId).catch((err: unknown) => this.deps.logger.error({ err, uuid: call.uuid }, 'survey score not stored'));
      }
    }
  }
}
