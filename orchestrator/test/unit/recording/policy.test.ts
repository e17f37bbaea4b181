import { describe, expect, it } from 'vitest';
import type { RecordingActor } from '../../../src/recording/actor.ts';
import {
  canControlRecording,
  decideRecording,
  nextRecordingState,
  RecordingControlError,
  recordingPolicySchema,
  type RecordingControlAction,
  type RecordingDecision,
  type RecordingDecisionInput,
  type RecordingMode,
  type RecordingPolicy,
  type RecordingRunState,
} from '../../../src/recording/policy.ts';

const P = (mode: RecordingMode, startAt: RecordingPolicy['startAt'] = 'agent_answer'): RecordingPolicy => ({ mode, startAt });
const SYS = 'system_answer' as const;
const AGT = 'agent_answer' as const;

describe('decideRecording precedence', () => {
  type Row = [string, RecordingDecisionInput, Pick<RecordingDecision, 'mode' | 'record' | 'startAt' | 'reason' | 'decidedBy'>];
  // prettier-ignore
  const table: Row[] = [
    ['no policy at all: nothing recorded',               { phase: AGT },                                                          { mode: 'none', record: false, startAt: null, reason: 'default_policy', decidedBy: 'default' }],
    ['no policy: the organization default applies',      { phase: AGT, defaultPolicy: P('all') },                                 { mode: 'all', record: true, startAt: AGT, reason: 'policy_all', decidedBy: 'default' }],
    ['the default is ignored once any policy applies',   { phase: AGT, defaultPolicy: P('all'), queuePolicy: P('none') },         { mode: 'none', record: false, startAt: null, reason: 'not_required', decidedBy: 'queue' }],
    ['queue all, from agent answer',                     { phase: AGT, queuePolicy: P('all') },                                   { mode: 'all', record: true, startAt: AGT, reason: 'policy_all', decidedBy: 'queue' }],
    ['queue all from agent answer, still in the IVR',    { phase: SYS, queuePolicy: P('all') },                                   { mode: 'all', record: false, startAt: AGT, reason: 'awaiting_agent_answer', decidedBy: 'queue' }],
    ['queue all from system answer, in the IVR',         { phase: SYS, queuePolicy: P('all', SYS) },                              { mode: 'all', record: true, startAt: SYS, reason: 'policy_all', decidedBy: 'queue' }],
    ['queue on demand',                                  { phase: AGT, queuePolicy: P('on_demand') },                             { mode: 'on_demand', record: false, startAt: null, reason: 'on_demand', decidedBy: 'queue' }],
    ['agent all overrides queue on demand',              { phase: AGT, queuePolicy: P('on_demand'), agentPolicy: P('all') },      { mode: 'all', record: true, startAt: AGT, reason: 'policy_all', decidedBy: 'agent' }],
    ['agent all overrides queue none',                   { phase: AGT, queuePolicy: P('none'), agentPolicy: P('all') },           { mode: 'all', record: true, startAt: AGT, reason: 'policy_all', decidedBy: 'agent' }],
    ['queue all overrides agent none',                   { phase: AGT, queuePolicy: P('all'), agentPolicy: P('none') },           { mode: 'all', record: true, startAt: AGT, reason: 'policy_all', decidedBy: 'queue' }],
    ['queue all overrides agent on demand',              { phase: AGT, queuePolicy: P('all'), agentPolicy: P('on_demand') },      { mode: 'all', record: true, startAt: AGT, reason: 'policy_all', decidedBy: 'queue' }],
    ['agent on demand overrides queue none',             { phase: AGT, queuePolicy: P('none'), agentPolicy: P('on_demand') },     { mode: 'on_demand', record: false, startAt: null, reason: 'on_demand', decidedBy: 'agent' }],
    ['both none',                                        { phase: AGT, queuePolicy: P('none'), agentPolicy: P('none') },          { mode: 'none', record: false, startAt: null, reason: 'not_required', decidedBy: 'agent' }],
    ['both all: the earliest start wins (queue)',        { phase: SYS, queuePolicy: P('all', SYS), agentPolicy: P('all', AGT) },  { mode: 'all', record: true, startAt: SYS, reason: 'policy_all', decidedBy: 'queue' }],
    ['both all, same start: credited to the agent',      { phase: AGT, queuePolicy: P('all', SYS), agentPolicy: P('all', SYS) },  { mode: 'all', record: true, startAt: SYS, reason: 'policy_all', decidedBy: 'agent' }],
    ['agent all from system answer, decided at agent answer: record now', { phase: AGT, queuePolicy: P('on_demand'), agentPolicy: P('all', SYS) }, { mode: 'all', record: true, startAt: SYS, reason: 'policy_all', decidedBy: 'agent' }],
    ['outbound: route all',                              { phase: AGT, routePolicy: P('all') },                                   { mode: 'all', record: true, startAt: AGT, reason: 'policy_all', decidedBy: 'route' }],
    ['outbound: agent all overrides route on demand',    { phase: AGT, routePolicy: P('on_demand'), agentPolicy: P('all') },      { mode: 'all', record: true, startAt: AGT, reason: 'policy_all', decidedBy: 'agent' }],
    ['outbound: route all overrides agent none',         { phase: AGT, routePolicy: P('all'), agentPolicy: P('none') },           { mode: 'all', record: true, startAt: AGT, reason: 'policy_all', decidedBy: 'route' }],
    ['do-not-record wins over queue all',                { phase: AGT, queuePolicy: P('all', SYS), doNotRecord: true },           { mode: 'none', record: false, startAt: null, reason: 'do_not_record', decidedBy: 'flag' }],
    ['do-not-record wins over every scope all',          { phase: SYS, queuePolicy: P('all', SYS), routePolicy: P('all'), agentPolicy: P('all', SYS), defaultPolicy: P('all'), doNotRecord: true }, { mode: 'none', record: false, startAt: null, reason: 'do_not_record', decidedBy: 'flag' }],
    ['do-not-record also rules out on demand',           { phase: AGT, queuePolicy: P('on_demand'), doNotRecord: true },          { mode: 'none', record: false, startAt: null, reason: 'do_not_record', decidedBy: 'flag' }],
    ['doNotRecord false changes nothing',                { phase: AGT, queuePolicy: P('all'), doNotRecord: false },               { mode: 'all', record: true, startAt: AGT, reason: 'policy_all', decidedBy: 'queue' }],
    ['null policies count as absent',                    { phase: AGT, queuePolicy: null, agentPolicy: null, routePolicy: null }, { mode: 'none', record: false, startAt: null, reason: 'default_policy', decidedBy: 'default' }],
  ];

  it.each(table)('%s', (_name, input, expected) => {
    expect(decideRecording(input)).toEqual(expected);
  });

  it('does not depend on which scope a policy sits in, except for the credit', () => {
    const modes: RecordingMode[] = ['all', 'on_demand', 'none'];
    for (const a of modes) for (const b of modes) {
      const x = decideRecording({ phase: AGT, queuePolicy: P(a), agentPolicy: P(b) });
      const y = decideRecording({ phase: AGT, queuePolicy: P(b), agentPolicy: P(a) });
      expect({ ...x, decidedBy: null }).toEqual({ ...y, decidedBy: null });
    }
  });

  it('parses policies with agent answer as the default start', () => {
    expect(recordingPolicySchema.parse({ mode: 'all' })).toEqual({ mode: 'all', startAt: 'agent_answer' });
    expect(recordingPolicySchema.safeParse({ mode: 'always' }).success).toBe(false);
  });
});

describe('canControlRecording', () => {
  const actor = (role: RecordingActor['role'], over: Partial<RecordingActor> = {}): RecordingActor => ({
    userId: `u-${role}`, role, organizationId: 'org1', agentId: role === 'agent' ? 'a1' : null, teamAgentIds: role === 'supervisor' ? ['a1', 'a2'] : [], ...over,
  });
  const agent = actor('agent');
  const sup = actor('supervisor');
  const admin = actor('admin');
  const call = (agentIds: string[], mode: RecordingMode = 'on_demand', organizationId = 'org1') => ({ organizationId, agentIds, mode });
  const ACTIONS: RecordingControlAction[] = ['start', 'stop', 'pause', 'resume'];

  type Row = [string, RecordingActor, ReturnType<typeof call>, ReturnType<typeof canControlRecording>];
  // prettier-ignore
  const table: Row[] = [
    ['agent, own call',                      agent, call(['a1']),        { allowed: true }],
    ['agent, own call after a transfer',     agent, call(['a9', 'a1']),  { allowed: true }],
    ['agent, colleague call',                agent, call(['a2']),        { allowed: false, reason: 'out_of_scope' }],
    ['agent with a team list leads nobody',  actor('agent', { teamAgentIds: ['a2'] }), call(['a2']), { allowed: false, reason: 'out_of_scope' }],
    ['supervisor, team call',                sup,   call(['a2']),        { allowed: true }],
    ['supervisor, other team call',          sup,   call(['a3']),        { allowed: false, reason: 'out_of_scope' }],
    ['supervisor, own call',                 actor('supervisor', { agentId: 's1', teamAgentIds: [] }), call(['s1']), { allowed: true }],
    ['admin, any call of the organization',  admin, call(['a3']),        { allowed: true }],
    ['admin, agent-less call',               admin, call([]),            { allowed: true }],
    ['agent, own call in another tenant',    agent, call(['a1'], 'on_demand', 'org2'), { allowed: false, reason: 'other_organization' }],
    ['supervisor, team ids in another tenant', sup, call(['a2'], 'on_demand', 'org2'), { allowed: false, reason: 'other_organization' }],
    ['admin, another tenant',                admin, call(['a1'], 'on_demand', 'org2'), { allowed: false, reason: 'other_organization' }],
    ['mode none: not even an admin',         admin, call(['a1'], 'none'), { allowed: false, reason: 'recording_not_permitted' }],
    ['mode none: not the agent',             agent, call(['a1'], 'none'), { allowed: false, reason: 'recording_not_permitted' }],
  ];
  it.each(table)('%s: every action', (_name, who, c, expected) => {
    for (const action of ACTIONS) expect(canControlRecording(who, action, c), action).toEqual(expected);
  });

  it('a mandatory recording can be paused, resumed and started, never stopped', () => {
    for (const who of [agent, sup, admin]) {
      const c = call(['a1'], 'all');
      expect(canControlRecording(who, 'pause', c)).toEqual({ allowed: true });
      expect(canControlRecording(who, 'resume', c)).toEqual({ allowed: true });
      expect(canControlRecording(who, 'start', c)).toEqual({ allowed: true });
      expect(canControlRecording(who, 'stop', c)).toEqual({ allowed: false, reason: 'recording_mandatory' });
    }
  });

  it('an empty organization id never matches', () => {
    expect(canControlRecording(actor('admin', { organizationId: '' }), 'start', call(['a1'], 'on_demand', ''))).toEqual({ allowed: false, reason: 'other_organization' });
  });
});

describe('recording control state', () => {
  // prettier-ignore
  const table: [RecordingRunState, RecordingControlAction, RecordingRunState | 'error'][] = [
    ['idle', 'start', 'recording'], ['idle', 'pause', 'error'], ['idle', 'resume', 'error'], ['idle', 'stop', 'error'],
    ['recording', 'start', 'recording'], ['recording', 'pause', 'paused'], ['recording', 'resume', 'recording'], ['recording', 'stop', 'stopped'],
    ['paused', 'start', 'error'], ['paused', 'pause', 'paused'], ['paused', 'resume', 'recording'], ['paused', 'stop', 'stopped'],
    ['stopped', 'start', 'recording'], ['stopped', 'pause', 'error'], ['stopped', 'resume', 'error'], ['stopped', 'stop', 'stopped'],
  ];
  it.each(table)('%s + %s → %s', (from, action, to) => {
    if (to === 'error') {
      expect(() => nextRecordingState(from, action)).toThrow(RecordingControlError);
    } else {
      expect(nextRecordingState(from, action)).toBe(to);
    }
  });
  it('explains the refusal', () => {
    expect(() => nextRecordingState('idle', 'pause')).toThrow('cannot pause a recording that is not started');
  });
});
