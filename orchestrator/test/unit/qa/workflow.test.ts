import { describe, expect, it } from 'vitest';
import type { RecordingActor } from '../../../src/recording/actor.ts';
import { decideEvaluationAction, mayEvaluate, partyTo, EVALUATION_ACTIONS, EVALUATION_STATUSES, type EvaluationParties, type EvaluationStatus } from '../../../src/qa/workflow.ts';

const ORG = 'org-1';
const actor = (o: Partial<RecordingActor> & Pick<RecordingActor, 'role' | 'userId'>): RecordingActor => ({ organizationId: ORG, agentId: null, teamAgentIds: [], ...o });

const agentA = actor({ role: 'agent', userId: 'u-a', agentId: 'ag-a' });
const agentB = actor({ role: 'agent', userId: 'u-b', agentId: 'ag-b' });
const supervisor = actor({ role: 'supervisor', userId: 'u-s', teamAgentIds: ['ag-a'] });
const otherSupervisor = actor({ role: 'supervisor', userId: 'u-s2', teamAgentIds: ['ag-b'] });
const admin = actor({ role: 'admin', userId: 'u-admin' });
const foreignAdmin = actor({ role: 'admin', userId: 'u-x', organizationId: 'org-2' });
/** A supervisor who also takes calls, evaluated themselves. */
const playingSupervisor = actor({ role: 'supervisor', userId: 'u-ps', agentId: 'ag-ps', teamAgentIds: ['ag-a'] });

const evaluation = (status: EvaluationStatus, o: Partial<EvaluationParties> = {}): EvaluationParties => ({ organizationId: ORG, agentId: 'ag-a', evaluatorUserId: 'u-s', status, ...o });

describe('evaluation workflow', () => {
  it('walks draft → submitted → acknowledged, and submitted → disputed → resolved, by the right parties', () => {
    expect(decideEvaluationAction(supervisor, evaluation('draft'), 'submit')).toEqual({ allowed: true, party: 'reviewer', next: 'submitted' });
    expect(decideEvaluationAction(agentA, evaluation('submitted'), 'acknowledge')).toEqual({ allowed: true, party: 'agent', next: 'acknowledged' });
    expect(decideEvaluationAction(agentA, evaluation('submitted'), 'dispute')).toEqual({ allowed: true, party: 'agent', next: 'disputed' });
    expect(decideEvaluationAction(supervisor, evaluation('disputed'), 'resolve')).toEqual({ allowed: true, party: 'reviewer', next: 'resolved' });
    expect(decideEvaluationAction(admin, evaluation('disputed'), 'resolve')).toMatchObject({ allowed: true, next: 'resolved' });
  });

  it('hides drafts from the agent and everything from other agents, other teams and other tenants', () => {
    expect(decideEvaluationAction(agentA, evaluation('draft'), 'view')).toMatchObject({ allowed: false, reason: 'not_visible' });
    for (const status of EVALUATION_STATUSES) {
      expect(decideEvaluationAction(agentB, evaluation(status), 'view')).toMatchObject({ allowed: false, reason: 'not_visible' });
      expect(decideEvaluationAction(otherSupervisor, evaluation(status), 'view')).toMatchObject({ allowed: false, reason: 'not_visible' });
      expect(decideEvaluationAction(foreignAdmin, evaluation(status), 'view')).toMatchObject({ allowed: false, reason: 'not_visible' });
      expect(decideEvaluationAction(admin, evaluation(status), 'view')).toMatchObject({ allowed: true, party: 'reviewer' });
    }
    expect(partyTo(agentA, evaluation('resolved'))).toBe('agent');
    expect(partyTo(supervisor, evaluation('draft'))).toBe('reviewer');
  });

  it('lets only the evaluator edit and submit the draft', () => {
    expect(decideEvaluationAction(admin, evaluation('draft'), 'save')).toMatchObject({ allowed: false, reason: 'not_permitted' });
    expect(decideEvaluationAction(admin, evaluation('draft', { evaluatorUserId: 'u-admin' }), 'save')).toMatchObject({ allowed: true, next: 'draft' });
    expect(decideEvaluationAction(supervisor, evaluation('submitted'), 'save')).toMatchObject({ allowed: false, reason: 'wrong_status' });
  });

  it('keeps agents from reviewing and reviewers from answering for the agent', () => {
    expect(decideEvaluationAction(agentA, evaluation('disputed'), 'resolve')).toMatchObject({ allowed: false, reason: 'not_permitted' });
    expect(decideEvaluationAction(agentA, evaluation('submitted'), 'comment')).toMatchObject({ allowed: false, reason: 'not_permitted' });
    expect(decideEvaluationAction(supervisor, evaluation('submitted'), 'acknowledge')).toMatchObject({ allowed: false, reason: 'not_permitted' });
    expect(decideEvaluationAction(supervisor, evaluation('submitted'), 'dispute')).toMatchObject({ allowed: false, reason: 'not_permitted' });
  });

  it('allows each step once: no second dispute, no acknowledging a resolved evaluation, no comments once closed', () => {
    expect(decideEvaluationAction(agentA, evaluation('disputed'), 'dispute')).toMatchObject({ allowed: false, reason: 'wrong_status' });
    expect(decideEvaluationAction(agentA, evaluation('resolved'), 'acknowledge')).toMatchObject({ allowed: false, reason: 'wrong_status' });
    expect(decideEvaluationAction(agentA, evaluation('acknowledged'), 'dispute')).toMatchObject({ allowed: false, reason: 'wrong_status' });
    expect(decideEvaluationAction(supervisor, evaluation('submitted'), 'resolve')).toMatchObject({ allowed: false, reason: 'wrong_status' });
    expect(decideEvaluationAction(supervisor, evaluation('acknowledged'), 'comment')).toMatchObject({ allowed: false, reason: 'wrong_status' });
    expect(decideEvaluationAction(supervisor, evaluation('disputed'), 'comment')).toMatchObject({ allowed: true });
  });

  it('treats a supervisor evaluated on their own call as the agent of it, never its reviewer', () => {
    const own = evaluation('submitted', { agentId: 'ag-ps', evaluatorUserId: 'u-admin' });
    expect(partyTo(playingSupervisor, own)).toBe('agent');
    expect(decideEvaluationAction(playingSupervisor, { ...own, status: 'disputed' }, 'resolve')).toMatchObject({ allowed: false, reason: 'not_permitted' });
    expect(decideEvaluationAction(playingSupervisor, { ...own, status: 'draft' }, 'view')).toMatchObject({ allowed: false, reason: 'not_visible' });
    expect(mayEvaluate(playingSupervisor, { organizationId: ORG, agentIds: ['ag-ps'] })).toBe(false);
    expect(mayEvaluate(playingSupervisor, { organizationId: ORG, agentIds: ['ag-a'] })).toBe(true);
  });

  it('lets reviewers evaluate calls within their reach only', () => {
    expect(mayEvaluate(supervisor, { organizationId: ORG, agentIds: ['ag-a'] })).toBe(true);
    expect(mayEvaluate(supervisor, { organizationId: ORG, agentIds: ['ag-b'] })).toBe(false);
    expect(mayEvaluate(admin, { organizationId: ORG, agentIds: ['ag-b'] })).toBe(true);
    expect(mayEvaluate(foreignAdmin, { organizationId: ORG, agentIds: ['ag-b'] })).toBe(false);
    expect(mayEvaluate(agentB, { organizationId: ORG, agentIds: ['ag-a'] })).toBe(false);
  });

  it('never lets an outsider learn the status: every action on an invisible evaluation is not_visible', () => {
    for (const action of EVALUATION_ACTIONS) {
      for (const status of EVALUATION_STATUSES) {
        expect(decideEvaluationAction(agentB, evaluation(status), action)).toMatchObject({ allowed: false, reason: 'not_visible' });
      }
    }
  });
});
