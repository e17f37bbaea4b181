import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { parseFlow, type Flow, type LogEffect, type RunState } from '../../../src/ivr/index.ts';
import { IvrCall, type IvrCallInfo } from '../../../src/ivr/runtime/ivr-call.ts';
import { CallGoneError, IvrSwitchError, type AppResult, type IvrSwitch } from '../../../src/ivr/runtime/ivr-switch.ts';
import { PromptSource } from '../../../src/ivr/runtime/prompt-source.ts';

const logger = pino({ level: 'silent' });

function flowOf(definition: unknown): Flow {
  const r = parseFlow(definition);
  if (!r.ok) throw new Error(r.errors.join('; '));
  return r.flow;
}

const menuFlow = flowOf({
  name: 'm', language: 'en', start: 'menu',
  nodes: {
    menu: { type: 'menu', prompt: { tts: { en: 'Press 1' } }, choices: { '1': 'bye' }, timeoutSec: 2, maxRetries: 1, onFail: 'bye' },
    bye: { type: 'hangup' },
  },
});

/** A switch whose applications end when the test says so (or at once, per a script). */
class ScriptedSwitch implements IvrSwitch {
  readonly log: string[] = [];
  private pending: { resolve: (r: AppResult) => void; reject: (e: Error) => void }[] = [];
  constructor(private readonly answer: (app: string, arg: string) => AppResult | Error | 'wait') {}
  run(uuid: string, app: string, arg: string): Promise<AppResult> {
    this.log.push(`${uuid.slice(0, 1)} ${app}`);
    const a = this.answer(app, arg);
    if (a === 'wait') return new Promise((resolve, reject) => this.pending.push({ resolve, reject }));
    return a instanceof Error ? Promise.reject(a) : Promise.resolve(a);
  }
  async setVariables(): Promise<void> {}
  async transfer(uuid: string, ext: string): Promise<void> {
    this.log.push(`${uuid.slice(0, 1)} transfer ${ext}`);
  }
  async hangup(uuid: string, cause: string): Promise<void> {
    this.log.push(`${uuid.slice(0, 1)} hangup ${cause}`);
  }
  gone(): void {
    for (const p of this.pending.splice(0)) p.reject(new CallGoneError('gone'));
  }
}

const ok = (digits = ''): AppResult => ({ response: '', digits, recordMs: null, timedOut: false });

function makeCall(uuid: string, flow: Flow, sw: IvrSwitch) {
  const logs: LogEffect[] = [];
  let ended: RunState | null = null;
  const info: IvrCallInfo = { uuid, organizationId: 'o', flowId: 'f', flowVersion: 1, did: '95001', callerNumber: '139' };
  const call = new IvrCall(info, flow, {
    sw,
    prompts: new PromptSource({ en: { kind: 'switch' } }, logger),
    http: () => Promise.reject(new Error('no http here')),
    voicemailFile: () => '/vm/x.wav',
    clock: () => 1_000,
    logger,
    listener: { effects: (_c, l) => logs.push(...l), ended: (_c, s) => (ended = s) },
  }, {});
  return { call, logs, ended: () => ended };
}

describe('IvrCall (one call, a scripted switch)', () => {
  it('a caller hanging up while keys are collected ends the run at that node, with nothing sent afterwards', async () => {
    const sw = new ScriptedSwitch(() => 'wait');
    const { call, logs, ended } = makeCall('a-1', menuFlow, sw);
    const running = call.run();
    await new Promise((r) => setTimeout(r, 5));
    expect(sw.log).toEqual(['a play_and_get_digits']);
    call.hungUp();
    sw.gone();
    await running;
    expect(ended()?.finished).toEqual({ outcome: 'caller_hangup' });
    expect(logs.at(-2)).toMatchObject({ event: 'node_exited', node: 'menu', branch: 'caller_hangup' });
    expect(sw.log).toEqual(['a play_and_get_digits']);
  });

  it('a timed-out collection counts as a timeout: retry, then the fail branch', async () => {
    const sw = new ScriptedSwitch((app) => (app === 'play_and_get_digits' ? { ...ok(), timedOut: true } : ok()));
    const { call, ended } = makeCall('b-1', menuFlow, sw);
    await call.run();
    expect(sw.log).toEqual(['b play_and_get_digits', 'b play_and_get_digits', 'b hangup NORMAL_CLEARING']);
    expect(ended()?.path).toEqual(['menu', 'bye']);
  });

  it("a switch error ends only that call's run (hung up with a temporary failure); another call goes on", async () => {
    const broken = new ScriptedSwitch(() => new IvrSwitchError('play_and_get_digits: -ERR something odd'));
    const healthy = new ScriptedSwitch((app) => (app === 'play_and_get_digits' ? ok('1') : ok()));
    const a = makeCall('c-1', menuFlow, broken);
    const b = makeCall('d-1', menuFlow, healthy);
    await Promise.all([a.call.run(), b.call.run()]);
    expect(broken.log).toEqual(['c play_and_get_digits', 'c hangup NORMAL_TEMPORARY_FAILURE']);
    expect(healthy.log).toEqual(['d play_and_get_digits', 'd hangup NORMAL_CLEARING']);
    expect(b.ended()?.path).toEqual(['menu', 'bye']);
  });

  it('an orchestrator stop detaches the run without an outcome', async () => {
    const sw = new ScriptedSwitch(() => 'wait');
    const { call, ended } = makeCall('e-1', menuFlow, sw);
    const running = call.run();
    await new Promise((r) => setTimeout(r, 5));
    call.detach();
    sw.gone();
    await running;
    expect(ended()).toBeNull();
  });
});
