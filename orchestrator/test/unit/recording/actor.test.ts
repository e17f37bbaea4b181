import { describe, expect, it } from 'vitest';
import type { Role } from '../../../src/api/protocol.ts';
import { relationTo, roleReaches, type RecordingActor, type Relation } from '../../../src/recording/actor.ts';

const actor = (role: Role, agentId: string | null, teamAgentIds: string[] = []): RecordingActor => ({ userId: 'u', role, organizationId: 'org1', agentId, teamAgentIds });
const call = (agentIds: string[], organizationId = 'org1') => ({ organizationId, agentIds });

describe('relationTo', () => {
  // prettier-ignore
  const table: [string, RecordingActor, ReturnType<typeof call>, Relation][] = [
    ['own call',                              actor('agent', 'a1'),                    call(['a1']),         'own'],
    ['own call, second agent after transfer', actor('agent', 'a1'),                    call(['a2', 'a1']),   'own'],
    ['a colleague call',                      actor('agent', 'a1'),                    call(['a2']),         'organization'],
    ['an agent leads nobody, whatever the list says', actor('agent', 'a1', ['a2']),    call(['a2']),         'organization'],
    ['a supervisor, team call',               actor('supervisor', null, ['a2']),       call(['a2']),         'team'],
    ['a supervisor, team agent after transfer', actor('supervisor', null, ['a2']),     call(['b1', 'a2']),   'team'],
    ['a supervisor, own call beats team',     actor('supervisor', 's1', ['a2']),       call(['s1', 'a2']),   'own'],
    ['a supervisor, another team',            actor('supervisor', 's1', ['a2']),       call(['b1']),         'organization'],
    ['an admin, any call',                    actor('admin', null, ['a2']),            call(['a2']),         'organization'],
    ['an agent-less call',                    actor('supervisor', 's1', ['a2']),       call([]),             'organization'],
    ['an empty agent id in the team list does not match', actor('supervisor', null, ['']), call(['']),   'organization'],
    ['another tenant, same agent id',         actor('agent', 'a1'),                    call(['a1'], 'org2'), 'other_organization'],
    ['another tenant, admin',                 actor('admin', null),                    call([], 'org2'),     'other_organization'],
  ];
  it.each(table)('%s', (_name, who, target, expected) => {
    expect(relationTo(who, target)).toBe(expected);
  });
});

describe('roleReaches', () => {
  // prettier-ignore
  const table: [Role, Record<Relation, boolean>][] = [
    ['agent',      { own: true, team: false, organization: false, other_organization: false }],
    ['supervisor', { own: true, team: true,  organization: false, other_organization: false }],
    ['admin',      { own: true, team: true,  organization: true,  other_organization: false }],
  ];
  it.each(table)('%s', (role, expected) => {
    for (const [relation, reaches] of Object.entries(expected)) expect(roleReaches(role, relation as Relation), relation).toBe(reaches);
  });
});
