import { describe, expect, it } from 'vitest';
import { denialStatus, mayActOnAgent, mayActOnCall, supervisionScope, type SupervisorActor } from '../../../src/supervision/rights.ts';
import { CALL_ACTIONS, eavesdropVariables, MODE_DIGIT, planCallAction, type OwnMonitoring, type PlannedCall } from '../../../src/supervision/modes.ts';
import { originateMonitor, originateTakeover, uuidRecvDtmf } from '../../../src/supervision/commands.ts';
import { wallboardView } from '../../../src/supervision/wallboard.ts';
import type { MetricsView, QueueMetricsView } from '../../../src/api/protocol.ts';

const ORG = '00000000-0000-4000-8000-000000000001';
const OTHER = '00000000-0000-4000-8000-000000000002';
const Q1 = '11111111-1111-4111-8111-111111111111';
const Q2 = '22222222-2222-4222-8222-222222222222';
const actor = (role: SupervisorActor['role'], supervisedQueueIds: string[] = [], organizationId = ORG): SupervisorActor => ({ userId: 'u', role, organizationId, supervisedQueueIds });
const agentIn = (queueIds: string[], organizationId = ORG) => ({ agentId: 'a', organizationId, queueIds });

describe('supervision rights', () => {
  it('admins reach their organization; supervisors without queues too; with queues only those', () => {
    expect(supervisionScope(actor('admin', [Q1]))).toEqual({ kind: 'organization', organizationId: ORG });
    expect(supervisionScope(actor('supervisor'))).toEqual({ kind: 'organization', organizationId: ORG });
    expect(supervisionScope(actor('supervisor', [Q1]))).toMatchObject({ kind: 'queues', queueIds: new Set([Q1]) });
    expect(supervisionScope(actor('agent'))).toEqual({ kind: 'none' });
  });

  it('agents: another organization is not found, agents supervise nobody, supervisors only their queues', () => {
    expect(mayActOnAgent(actor('admin'), agentIn([Q2], OTHER))).toEqual({ allowed: false, reason: 'other_organization' });
    expect(mayActOnAgent(actor('supervisor'), agentIn([Q2], OTHER))).toEqual({ allowed: false, reason: 'other_organization' });
    expect(mayActOnAgent(actor('agent'), agentIn([Q1]))).toEqual({ allowed: false, reason: 'role' });
    expect(mayActOnAgent(actor('supervisor', [Q1]), agentIn([Q1, Q2]))).toEqual({ allowed: true });
    expect(mayActOnAgent(actor('supervisor', [Q1]), agentIn([Q2]))).toEqual({ allowed: false, reason: 'out_of_scope' });
    expect(mayActOnAgent(actor('supervisor', [Q1]), agentIn([]))).toEqual({ allowed: false, reason: 'out_of_scope' });
    expect(mayActOnAgent(actor('supervisor'), agentIn([]))).toEqual({ allowed: true });
    expect(mayActOnAgent(actor('admin', [Q1]), agentIn([Q2]))).toEqual({ allowed: true });
    expect(mayActOnAgent({ ...actor('admin'), organizationId: '' }, agentIn([Q1], ''))).toEqual({ allowed: false, reason: 'other_organization' });
  });

  it("calls: reached through the call's queue or the agent's queues, never across organizations", () => {
    const call = (queueId: string | null, agentQueues: string[] | null, organizationId = ORG) => ({
      callId: 'c', organizationId, queueId, agent: agentQueues ? agentIn(agentQueues, organizationId) : null,
    });
    expect(mayActOnCall(actor('supervisor', [Q1]), call(Q1, [Q2]))).toEqual({ allowed: true });
    expect(mayActOnCall(actor('supervisor', [Q1]), call(Q2, [Q1]))).toEqual({ allowed: true });
    expect(mayActOnCall(actor('supervisor', [Q1]), call(Q2, [Q2]))).toEqual({ allowed: false, reason: 'out_of_scope' });
    expect(mayActOnCall(actor('supervisor', [Q1]), call(null, null))).toEqual({ allowed: false, reason: 'out_of_scope' });
    expect(mayActOnCall(actor('admin'), call(Q1, [Q1], OTHER))).toEqual({ allowed: false, reason: 'other_organization' });
    expect(mayActOnCall(actor('agent'), call(Q1, [Q1]))).toEqual({ allowed: false, reason: 'role' });
    // An agent record of another organization on the call does not widen the reach.
    expect(mayActOnCall(actor('supervisor', [Q1]), { ...call(Q2, null), agent: agentIn([Q1], OTHER) })).toEqual({ allowed: false, reason: 'out_of_scope' });
    expect(denialStatus('other_organization')).toBe(404);
    expect(denialStatus('out_of_scope')).toBe(403);
    expect(denialStatus('role')).toBe(403);
  });
});

describe('supervision steps', () => {
  const LEG = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
  const MINE = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';
  const call: PlannedCall = { callId: 'c1', agentLegUuid: LEG, answered: true, isCallback: false, takenOverBy: null };
  const on = (callId: string, mode: OwnMonitoring['mode']): OwnMonitoring => ({ callId, legUuid: MINE, mode });

  it('starts monitoring in any mode with a new leg, stopping a monitoring of another call first', () => {
    expect(planCallAction('listen', call, null)).toEqual({ ok: true, step: { kind: 'monitor', mode: 'listen', stopLegUuid: null } });
    expect(planCallAction('whisper', call, null)).toEqual({ ok: true, step: { kind: 'monitor', mode: 'whisper', stopLegUuid: null } });
    expect(planCallAction('barge', call, on('c0', 'listen'))).toEqual({ ok: true, step: { kind: 'monitor', mode: 'barge', stopLegUuid: MINE } });
  });

  it('switches listen → whisper → barge → listen on the same leg with the eavesdrop keys, without re-dialing', () => {
    expect(planCallAction('whisper', call, on('c1', 'listen'))).toEqual({ ok: true, step: { kind: 'switch_mode', legUuid: MINE, from: 'listen', to: 'whisper', digit: '2' } });
    expect(planCallAction('barge', call, on('c1', 'whisper'))).toEqual({ ok: true, step: { kind: 'switch_mode', legUuid: MINE, from: 'whisper', to: 'barge', digit: '3' } });
    expect(planCallAction('listen', call, on('c1', 'barge'))).toEqual({ ok: true, step: { kind: 'switch_mode', legUuid: MINE, from: 'barge', to: 'listen', digit: '0' } });
    expect(planCallAction('barge', call, on('c1', 'barge'))).toEqual({ ok: true, step: { kind: 'unchanged', mode: 'barge' } });
  });

  it('hangs up any answered call, even one taken over; intercepts reuse the monitoring leg', () => {
    expect(planCallAction('hangup', { ...call, takenOverBy: 'someone' }, null)).toEqual({ ok: true, step: { kind: 'hangup' } });
    expect(planCallAction('intercept', call, on('c1', 'whisper'))).toEqual({ ok: true, step: { kind: 'intercept', reuseLegUuid: MINE, stopLegUuid: null } });
    expect(planCallAction('intercept', call, null)).toEqual({ ok: true, step: { kind: 'intercept', reuseLegUuid: null, stopLegUuid: null } });
    expect(planCallAction('intercept', call, on('c0', 'listen'))).toEqual({ ok: true, step: { kind: 'intercept', reuseLegUuid: null, stopLegUuid: MINE } });
  });

  it('refuses calls that are not connected, taken over, or callbacks to intercept', () => {
    for (const action of CALL_ACTIONS) expect(planCallAction(action, { ...call, answered: false }, null)).toEqual({ ok: false, refusal: 'call_not_connected' });
    expect(planCallAction('listen', { ...call, agentLegUuid: null }, null)).toEqual({ ok: false, refusal: 'call_not_connected' });
    expect(planCallAction('whisper', { ...call, takenOverBy: 'u2' }, null)).toEqual({ ok: false, refusal: 'call_taken_over' });
    expect(planCallAction('intercept', { ...call, isCallback: true }, null)).toEqual({ ok: false, refusal: 'not_for_callbacks' });
    expect(planCallAction('listen', { ...call, isCallback: true }, null)).toMatchObject({ ok: true });
  });

  it('starts eavesdrops in the right mode: whisper mixes into what the agent hears, barge also into what the customer hears', () => {
    expect(eavesdropVariables('listen')).toEqual({ eavesdrop_enable_dtmf: 'true' });
    expect(eavesdropVariables('whisper')).toEqual({ eavesdrop_enable_dtmf: 'true', eavesdrop_whisper_bleg: 'true' });
    expect(eavesdropVariables('barge')).toEqual({ eavesdrop_enable_dtmf: 'true', eavesdrop_whisper_aleg: 'true', eavesdrop_whisper_bleg: 'true' });
    expect(MODE_DIGIT).toEqual({ listen: '0', whisper: '2', barge: '3' });
  });
});

describe('supervision commands', () => {
  const base = {
    legUuid: 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', callId: 'cccccccc-cccc-4ccc-8ccc-cccccccccccc', extension: '89000', sipDomain: 'cc.local',
    callerNumber: '13900001111', answerToken: 'tok-12345678', ringTimeoutSec: 20,
  };
  it('originates the supervisor leg into an eavesdrop on the agent leg, with the answer token as a SIP header', () => {
    const cmd = originateMonitor({ ...base, agentLegUuid: 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', mode: 'whisper' });
    expect(cmd).toMatch(/^originate \{origination_uuid=bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb,originate_timeout=20,/);
    expect(cmd).toContain('sip_h_X-CC-Supervision=tok-12345678');
    expect(cmd).toContain('absolute_codec_string=OPUS\\,PCMU\\,PCMA');
    expect(cmd).toContain('eavesdrop_whisper_bleg=true');
    expect(cmd).not.toContain('eavesdrop_whisper_aleg');
    expect(cmd).toMatch(/\}user\/89000@cc\.local &eavesdrop\(aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa\)$/);
    expect(originateTakeover(base)).toMatch(/cc_role=supervisor_takeover,.*\}user\/89000@cc\.local &park\(\)$/);
    expect(uuidRecvDtmf(base.legUuid, '2')).toBe(`uuid_recv_dtmf ${base.legUuid} 2`);
  });
  it('refuses anything that could inject into the command line', () => {
    expect(() => originateMonitor({ ...base, agentLegUuid: 'x) &hangup(', mode: 'listen' })).toThrow(/uuid/);
    expect(() => originateMonitor({ ...base, agentLegUuid: base.legUuid, mode: 'listen', extension: '1 &bridge' })).toThrow(/extension/);
    expect(() => originateTakeover({ ...base, answerToken: 'a,b}c' })).toThrow(/token/);
    expect(() => uuidRecvDtmf(base.legUuid, '2 3')).toThrow(/DTMF/);
    // A caller number that is not digits is not shown to the supervisor.
    expect(originateTakeover({ ...base, callerNumber: "x',y" })).toContain('origination_caller_id_number=supervision');
  });
});

describe('wallboard view', () => {
  const queue = (over: Partial<QueueMetricsView>): QueueMetricsView => ({
    queueId: 'q', name: 'Q', waiting: 0, longestWaitSec: 0, agents: { logged_out: 0, not_ready: 0, ready: 0, reserved: 0, on_call: 0, wrap_up: 0 },
    offered: 0, answered: 0, abandoned: 0, shortAbandoned: 0, leftQueue: 0, serviceLevelSec: 20, serviceLevelPct: null, abandonRatePct: null,
    asaSec: null, ahtSec: null, estimatedWaitSec: null, ...over,
  });
  it('keeps queue figures, counts agents by state, weighs today’s service level, and drops every agent name', () => {
    const metrics: MetricsView = {
      at: '2026-01-01T08:00:00.000Z',
      queues: [
        queue({ queueId: 'q1', name: '售后', waiting: 2, longestWaitSec: 40, offered: 10, answered: 8, abandoned: 2, shortAbandoned: 0, serviceLevelPct: 50 }),
        queue({ queueId: 'q2', name: 'Sales', waiting: 0, longestWaitSec: 99, offered: 30, answered: 30, serviceLevelPct: 100 }),
      ],
      agents: [
        { agentId: 'a1', name: '李娜', extension: '1001', status: 'on_call', reason: null, inStatusSec: 1, callsAnswered: 1, talkSec: 1, wrapUpSec: 0, currentCallId: 'c' },
        { agentId: 'a2', name: 'Bob', extension: '1002', status: 'ready', reason: null, inStatusSec: 1, callsAnswered: 0, talkSec: 0, wrapUpSec: 0, currentCallId: null },
        { agentId: 'a3', name: 'Eve', extension: '1003', status: 'ready', reason: null, inStatusSec: 1, callsAnswered: 0, talkSec: 0, wrapUpSec: 0, currentCallId: null },
      ],
    };
    const v = wallboardView(metrics);
    expect(v.agentsByState).toEqual({ logged_out: 0, not_ready: 0, ready: 2, reserved: 0, on_call: 1, wrap_up: 0 });
    expect(v.totals).toEqual({ waiting: 2, longestWaitSec: 40, offered: 40, answered: 38, abandoned: 2, serviceLevelPct: (50 * 10 + 100 * 30) / 40 });
    expect(v.queues.map((q) => q.name)).toEqual(['售后', 'Sales']);
    const json = JSON.stringify(v);
    for (const secret of ['李娜', 'Bob', '1001', 'a1', '"c"']) expect(json).not.toContain(secret);
    expect(wallboardView({ at: metrics.at, queues: [queue({})], agents: [] }).totals.serviceLevelPct).toBeNull();
  });
});
