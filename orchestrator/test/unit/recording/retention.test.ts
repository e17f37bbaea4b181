import { describe, expect, it } from 'vitest';
import type { RecordingPolicy } from '../../../src/recording/policy.ts';
import {
  DAY_MS,
  missingRecordings,
  RetentionPolicyError,
  retentionFor,
  selectForPurge,
  type CdrForRecordingCheck,
  type RecordingPolicies,
  type RetainedRecording,
} from '../../../src/recording/retention.ts';

const T0 = Date.UTC(2025, 0, 1); // 2025-01-01T00:00:00Z
const all: RecordingPolicy = { mode: 'all', startAt: 'agent_answer' };
const policies: RecordingPolicies = {
  defaultRetentionDays: 90,
  queues: new Map([
    ['sales', { retentionDays: 180, recording: all }],
    ['support', { retentionDays: null, recording: { mode: 'on_demand', startAt: 'agent_answer' } }],
    ['vip', { retentionDays: 365 }],
  ]),
  agents: new Map([['trainee', all]]),
  routes: new Map([['out-cn', all]]),
};
const rec = (id: string, queueId: string | null, startedAt: number, over: Partial<RetainedRecording> = {}): RetainedRecording => ({
  id, organizationId: 'org1', callId: `call-${id}`, queueId, startedAt, legalHold: false, ...over,
});

describe('retention days', () => {
  it('uses the queue setting, else the default', () => {
    expect(retentionFor('sales', policies)).toEqual({ days: 180, source: 'queue' });
    expect(retentionFor('support', policies)).toEqual({ days: 90, source: 'default' });
    expect(retentionFor('unknown', policies)).toEqual({ days: 90, source: 'default' });
    expect(retentionFor(null, policies)).toEqual({ days: 90, source: 'default' });
    // Not confused by inherited object properties.
    expect(retentionFor('constructor', policies)).toEqual({ days: 90, source: 'default' });
  });

  it('rejects days that are not whole, positive and sane', () => {
    for (const days of [0, -1, 1.5, Number.NaN, 40_000]) {
      expect(() => retentionFor('x', { defaultRetentionDays: 90, queues: new Map([['x', { retentionDays: days }]]) }), String(days)).toThrow(RetentionPolicyError);
      expect(() => retentionFor(null, { defaultRetentionDays: days, queues: new Map() }), String(days)).toThrow(RetentionPolicyError);
    }
    expect(() => retentionFor('x', { defaultRetentionDays: 90, queues: new Map([['x', { retentionDays: 0 }]]) })).toThrow('queue x');
  });
});

describe('selectForPurge', () => {
  const ids = (r: { purge: { recordingId: string }[] }) => r.purge.map((p) => p.recordingId);

  it('purges at exactly the retention, not a millisecond earlier (180-day queue)', () => {
    const r = [rec('s', 'sales', T0)];
    expect(ids(selectForPurge(r, policies, T0 + 180 * DAY_MS - 1))).toEqual([]);
    expect(ids(selectForPurge(r, policies, T0 + 180 * DAY_MS))).toEqual(['s']);
    expect(ids(selectForPurge(r, policies, T0 + 181 * DAY_MS))).toEqual(['s']);
    expect(ids(selectForPurge(r, policies, T0 + 179 * DAY_MS))).toEqual([]);
  });

  it('uses the default for queues without retention and calls without a queue (90 days)', () => {
    const r = [rec('sup', 'support', T0), rec('none', null, T0), rec('gone', 'deleted-queue', T0)];
    expect(ids(selectForPurge(r, policies, T0 + 90 * DAY_MS - 1))).toEqual([]);
    expect(ids(selectForPurge(r, policies, T0 + 90 * DAY_MS))).toEqual(['gone', 'none', 'sup']);
  });

  it('applies each recording its own queue retention', () => {
    const r = [rec('v', 'vip', T0), rec('s', 'sales', T0), rec('d', null, T0)];
    expect(ids(selectForPurge(r, policies, T0 + 200 * DAY_MS))).toEqual(['d', 's']);
    expect(ids(selectForPurge(r, policies, T0 + 365 * DAY_MS))).toEqual(['d', 's', 'v']);
  });

  it('never purges a recording on legal hold, however old, but reports it held back', () => {
    const r = [rec('held', 'sales', T0, { legalHold: true }), rec('free', 'sales', T0)];
    const out = selectForPurge(r, policies, T0 + 10_000 * DAY_MS);
    expect(ids(out)).toEqual(['free']);
    expect(out.heldBack).toEqual([{ recordingId: 'held', reason: 'legal_hold', dueAt: T0 + 180 * DAY_MS }]);
    // Not yet due: not reported at all.
    expect(selectForPurge(r, policies, T0).heldBack).toEqual([]);
  });

  it('skips recordings already deleted', () => {
    expect(ids(selectForPurge([rec('x', 'sales', T0, { deletedAt: T0 + 1 })], policies, T0 + 999 * DAY_MS))).toEqual([]);
    expect(ids(selectForPurge([rec('x', 'sales', T0, { deletedAt: null })], policies, T0 + 999 * DAY_MS))).toEqual(['x']);
  });

  it('says why, with the audit entry, oldest due first', () => {
    const out = selectForPurge([rec('b', 'sales', T0 + DAY_MS), rec('a', 'sales', T0 + DAY_MS), rec('c', null, T0)], policies, T0 + 400 * DAY_MS);
    expect(ids(out)).toEqual(['c', 'a', 'b']);
    expect(out.purge[1]).toEqual({
      recordingId: 'a',
      organizationId: 'org1',
      reason: 'retention_expired',
      retentionDays: 180,
      retentionSource: 'queue',
      dueAt: T0 + 181 * DAY_MS,
      audit: {
        organizationId: 'org1',
        actorUserId: null,
        action: 'recording.purge',
        target: 'a',
        details: {
          text: 'recording a of call call-a purged: older than 180 days (queue sales retention); started 2025-01-02T00:00:00.000Z, due 2025-07-01T00:00:00.000Z',
          reason: 'retention_expired',
          callId: 'call-a',
          queueId: 'sales',
          retentionDays: 180,
          retentionSource: 'queue',
          startedAt: '2025-01-02T00:00:00.000Z',
          dueAt: '2025-07-01T00:00:00.000Z',
        },
      },
    });
    expect((out.purge[0]!.audit.details as { text: string }).text).toContain('older than 90 days (default retention)');
  });

  it('throws on an invalid retention rather than guessing', () => {
    const bad = { defaultRetentionDays: 90, queues: new Map([['q', { retentionDays: 0 }]]) };
    expect(() => selectForPurge([rec('x', 'q', T0)], bad, T0)).toThrow(RetentionPolicyError);
  });
});

describe('missingRecordings', () => {
  const cdr = (callId: string, over: Partial<CdrForRecordingCheck> = {}): CdrForRecordingCheck => ({
    callId, organizationId: 'org1', queueId: 'sales', agentId: 'a1', outcome: 'answered', talkSeconds: 42, ...over,
  });

  it('finds answered calls with talk time whose policy is all and that have no recording', () => {
    const cdrs = [
      cdr('ok'), // recorded
      cdr('missing'),
      cdr('other-tenant-recording'), // a recording with the same call id, but in another tenant, does not count
      cdr('abandoned', { outcome: 'abandoned', talkSeconds: 0 }),
      cdr('no-talk', { talkSeconds: 0 }),
      cdr('talk-unknown', { talkSeconds: null }),
      cdr('on-demand', { queueId: 'support' }),
      cdr('no-policy', { queueId: 'vip' }),
      cdr('no-queue', { queueId: null }),
      cdr('opted-out', { doNotRecord: true }),
      cdr('trainee', { queueId: 'support', agentId: 'trainee' }), // agent all beats queue on_demand
      cdr('outbound', { queueId: null, routeId: 'out-cn' }),
      cdr('live', { outcome: 'live', talkSeconds: null }),
      cdr('lost-after-talk', { outcome: 'lost', talkSeconds: 30 }), // only answered calls count
    ];
    const recordings = [{ organizationId: 'org1', callId: 'ok' }, { organizationId: 'org2', callId: 'other-tenant-recording' }];
    expect(missingRecordings(cdrs, recordings, policies)).toEqual([
      { callId: 'missing', organizationId: 'org1', queueId: 'sales', agentId: 'a1', requiredBy: 'queue' },
      { callId: 'other-tenant-recording', organizationId: 'org1', queueId: 'sales', agentId: 'a1', requiredBy: 'queue' },
      { callId: 'trainee', organizationId: 'org1', queueId: 'support', agentId: 'trainee', requiredBy: 'agent' },
      { callId: 'outbound', organizationId: 'org1', queueId: null, agentId: 'a1', requiredBy: 'route' },
    ]);
  });

  it('uses the organization default when no policy applies', () => {
    const withDefault = { ...policies, defaultRecording: all };
    expect(missingRecordings([cdr('x', { queueId: null })], [], withDefault)).toEqual([{ callId: 'x', organizationId: 'org1', queueId: null, agentId: 'a1', requiredBy: 'default' }]);
    expect(missingRecordings([cdr('x', { queueId: null })], [], policies)).toEqual([]);
  });
});
