import { describe, expect, it } from 'vitest';
import type { Role } from '../../../src/api/protocol.ts';
import {
  AUDITED_ACTIONS,
  authorizeRecordingAccess,
  inListScope,
  RECORDING_ACTIONS,
  recordingListScope,
  type RecordingAccessTarget,
  type RecordingAction,
} from '../../../src/recording/access.ts';
import type { RecordingActor } from '../../../src/recording/actor.ts';

/*
 * The organization org1: supervisor s1 (who also takes calls) leads agents
 * a1 and a2; agent b1 is in another team; admin ad1 also takes calls.
 * org2 is another tenant — with the very same agent ids, to prove that ids
 * alone never cross tenants.
 */
const ACTORS: Record<Role, RecordingActor> = {
  agent: { userId: 'u-a1', role: 'agent', organizationId: 'org1', agentId: 'a1', teamAgentIds: [] },
  supervisor: { userId: 'u-s1', role: 'supervisor', organizationId: 'org1', agentId: 's1', teamAgentIds: ['a1', 'a2'] },
  admin: { userId: 'u-ad1', role: 'admin', organizationId: 'org1', agentId: 'ad1', teamAgentIds: [] },
};

type Target = 'own' | 'team' | 'other_team' | 'other_tenant' | 'no_agent';

/** The recording of the given kind, relative to the actor. `team` = a2: the agent's team mate, the supervisor's team member. */
function recordingFor(actor: RecordingActor, target: Target, legalHold: boolean): RecordingAccessTarget {
  const own = actor.agentId ?? 'none';
  const [organizationId, agentIds] = ({
    own: ['org1', [own]],
    team: ['org1', ['a2']],
    other_team: ['org1', ['b1']],
    other_tenant: ['org2', [own, 'a2']],
    no_agent: ['org1', []],
  } as const satisfies Record<Target, readonly [string, readonly string[]]>)[target];
  return { id: `rec-${target}`, organizationId, agentIds, legalHold };
}

type Code = 'ok' | 'tenant' | 'scope' | 'role' | 'hold';
const REASON: Record<Exclude<Code, 'ok'>, string> = { tenant: 'other_organization', scope: 'out_of_scope', role: 'action_not_permitted', hold: 'legal_hold' };

// prettier-ignore
const MATRIX: [Role, Target, boolean, Code, Code, Code, Code, Code, Code][] = [
  // role         target          hold    list      view_meta  play      download  delete    set_legal_hold
  ['agent',      'own',          false,  'ok',     'ok',      'ok',     'role',   'role',   'role'],
  ['agent',      'own',          true,   'ok',     'ok',      'ok',     'role',   'role',   'role'],
  ['agent',      'team',         false,  'scope',  'scope',   'scope',  'scope',  'scope',  'scope'],
  ['agent',      'team',         true,   'scope',  'scope',   'scope',  'scope',  'scope',  'scope'],
  ['agent',      'other_team',   false,  'scope',  'scope',   'scope',  'scope',  'scope',  'scope'],
  ['agent',      'other_team',   true,   'scope',  'scope',   'scope',  'scope',  'scope',  'scope'],
  ['agent',      'other_tenant', false,  'tenant', 'tenant',  'tenant', 'tenant', 'tenant', 'tenant'],
  ['agent',      'other_tenant', true,   'tenant', 'tenant',  'tenant', 'tenant', 'tenant', 'tenant'],
  ['agent',      'no_agent',     false,  'scope',  'scope',   'scope',  'scope',  'scope',  'scope'],
  ['agent',      'no_agent',     true,   'scope',  'scope',   'scope',  'scope',  'scope',  'scope'],
  ['supervisor', 'own',          false,  'ok',     'ok',      'ok',     'ok',     'role',   'role'],
  ['supervisor', 'own',          true,   'ok',     'ok',      'ok',     'ok',     'role',   'role'],
  ['supervisor', 'team',         false,  'ok',     'ok',      'ok',     'ok',     'role',   'role'],
  ['supervisor', 'team',         true,   'ok',     'ok',      'ok',     'ok',     'role',   'role'],
  ['supervisor', 'other_team',   false,  'scope',  'scope',   'scope',  'scope',  'scope',  'scope'],
  ['supervisor', 'other_team',   true,   'scope',  'scope',   'scope',  'scope',  'scope',  'scope'],
  ['supervisor', 'other_tenant', false,  'tenant', 'tenant',  'tenant', 'tenant', 'tenant', 'tenant'],
  ['supervisor', 'other_tenant', true,   'tenant', 'tenant',  'tenant', 'tenant', 'tenant', 'tenant'],
  ['supervisor', 'no_agent',     false,  'scope',  'scope',   'scope',  'scope',  'scope',  'scope'],
  ['supervisor', 'no_agent',     true,   'scope',  'scope',   'scope',  'scope',  'scope',  'scope'],
  ['admin',      'own',          false,  'ok',     'ok',      'ok',     'ok',     'ok',     'ok'],
  ['admin',      'own',          true,   'ok',     'ok',      'ok',     'ok',     'hold',   'ok'],
  ['admin',      'team',         false,  'ok',     'ok',      'ok',     'ok',     'ok',     'ok'],
  ['admin',      'team',         true,   'ok',     'ok',      'ok',     'ok',     'hold',   'ok'],
  ['admin',      'other_team',   false,  'ok',     'ok',      'ok',     'ok',     'ok',     'ok'],
  ['admin',      'other_team',   true,   'ok',     'ok',      'ok',     'ok',     'hold',   'ok'],
  ['admin',      'other_tenant', false,  'tenant', 'tenant',  'tenant', 'tenant', 'tenant', 'tenant'],
  ['admin',      'other_tenant', true,   'tenant', 'tenant',  'tenant', 'tenant', 'tenant', 'tenant'],
  ['admin',      'no_agent',     false,  'ok',     'ok',      'ok',     'ok',     'ok',     'ok'],
  ['admin',      'no_agent',     true,   'ok',     'ok',      'ok',     'ok',     'hold',   'ok'],
];
const COLUMNS: RecordingAction[] = ['list', 'view_metadata', 'play', 'download', 'delete', 'set_legal_hold'];

describe('recording access matrix', () => {
  it('covers every role × target × hold once, and every action', () => {
    expect(MATRIX).toHaveLength(3 * 5 * 2);
    expect(new Set(MATRIX.map(([r, t, h]) => `${r}/${t}/${h}`)).size).toBe(MATRIX.length);
    expect([...COLUMNS].sort()).toEqual([...RECORDING_ACTIONS].sort());
  });

  it.each(MATRIX)('%s × %s recording (legal hold: %s)', (role, target, hold, ...codes) => {
    const actor = ACTORS[role];
    const recording = recordingFor(actor, target, hold);
    COLUMNS.forEach((action, i) => {
      const code = codes[i]!;
      const d = authorizeRecordingAccess(actor, action, recording);
      const got = d.allowed ? 'ok' : d.reason;
      expect(got, `${role} ${action} ${target} hold=${hold}`).toBe(code === 'ok' ? 'ok' : REASON[code]);
    });
  });

  it('list filtering by scope agrees with authorizing list row by row', () => {
    for (const [role, target, hold] of MATRIX) {
      const actor = ACTORS[role];
      const recording = recordingFor(actor, target, hold);
      expect(inListScope(recordingListScope(actor), recording), `${role} ${target}`).toBe(authorizeRecordingAccess(actor, 'list', recording).allowed);
    }
  });
});

describe('recording access details', () => {
  const rec = (agentIds: string[], over: Partial<RecordingAccessTarget> = {}): RecordingAccessTarget => ({ id: 'r1', organizationId: 'org1', agentIds, legalHold: false, ...over });

  it('a recording of several agents (transfer) belongs to each of them and their supervisors', () => {
    const transferred = rec(['b1', 'a2']);
    expect(authorizeRecordingAccess(ACTORS.supervisor, 'play', transferred).allowed).toBe(true);
    expect(authorizeRecordingAccess({ ...ACTORS.agent, agentId: 'b1' }, 'play', transferred).allowed).toBe(true);
    expect(authorizeRecordingAccess(ACTORS.agent, 'play', transferred).allowed).toBe(false);
  });

  it('an agent without an agent id, or a supervisor without a team, reaches nothing but their own', () => {
    expect(authorizeRecordingAccess({ ...ACTORS.agent, agentId: null }, 'list', rec(['a1'])).allowed).toBe(false);
    expect(authorizeRecordingAccess({ ...ACTORS.supervisor, teamAgentIds: [] }, 'list', rec(['a1'])).allowed).toBe(false);
    expect(recordingListScope({ ...ACTORS.agent, agentId: null })).toEqual({ organizationId: 'org1', agentIds: [] });
    expect(recordingListScope(ACTORS.supervisor)).toEqual({ organizationId: 'org1', agentIds: ['s1', 'a1', 'a2'] });
    expect(recordingListScope(ACTORS.admin)).toEqual({ organizationId: 'org1', agentIds: 'all' });
  });

  it('audits every playback, download, delete and hold change — allowed or denied — and not listing', () => {
    const own = rec(['a1']);
    expect(authorizeRecordingAccess(ACTORS.agent, 'play', own)).toEqual({
      allowed: true,
      audit: { organizationId: 'org1', actorUserId: 'u-a1', action: 'recording.play', target: 'r1', details: { outcome: 'allowed', role: 'agent', relation: 'own' } },
    });
    expect(authorizeRecordingAccess(ACTORS.agent, 'download', own)).toEqual({
      allowed: false,
      reason: 'action_not_permitted',
      audit: { organizationId: 'org1', actorUserId: 'u-a1', action: 'recording.download', target: 'r1', details: { outcome: 'denied', role: 'agent', reason: 'action_not_permitted', relation: 'own' } },
    });
    // Another tenant's recording: audited in the actor's organization, without revealing how it relates.
    expect(authorizeRecordingAccess(ACTORS.admin, 'download', rec(['a1'], { organizationId: 'org2' })).audit).toEqual({
      organizationId: 'org1', actorUserId: 'u-ad1', action: 'recording.download', target: 'r1', details: { outcome: 'denied', role: 'admin', reason: 'other_organization' },
    });
    // Extra details are kept, but cannot forge the outcome.
    expect(authorizeRecordingAccess(ACTORS.admin, 'set_legal_hold', own, { legalHold: true, outcome: 'allowed' }).audit?.details).toEqual({
      legalHold: true, outcome: 'allowed', role: 'admin', relation: 'organization',
    });
    expect(authorizeRecordingAccess(ACTORS.agent, 'set_legal_hold', own, { outcome: 'allowed' }).audit?.details).toMatchObject({ outcome: 'denied' });

    for (const role of ['agent', 'supervisor', 'admin'] as const) {
      for (const action of RECORDING_ACTIONS) {
        for (const target of ['own', 'team', 'other_team', 'other_tenant', 'no_agent'] as const) {
          const d = authorizeRecordingAccess(ACTORS[role], action, recordingFor(ACTORS[role], target, false));
          if (AUDITED_ACTIONS.has(action)) expect(d.audit?.action).toBe(`recording.${action}`);
          else expect(d.audit).toBeNull();
        }
      }
    }
    expect([...AUDITED_ACTIONS].sort()).toEqual(['delete', 'download', 'play', 'set_legal_hold']);
  });

  it('an empty organization id never matches', () => {
    const nobody = { ...ACTORS.admin, organizationId: '' };
    expect(authorizeRecordingAccess(nobody, 'list', rec([], { organizationId: '' }))).toMatchObject({ allowed: false, reason: 'other_organization' });
    expect(inListScope(recordingListScope(nobody), rec([], { organizationId: '' }))).toBe(false);
  });
});
