import { describe, expect, it } from 'vitest';
import { interpretEvent } from '../../src/calls/signals.ts';
import { toCdrRow, type CallRecord } from '../../src/calls/cdr.ts';
import type { FsEvent } from '../../src/esl/event.ts';

const UUID = '9a9dac13-e942-4780-8a52-2f7546943380';
const ev = (name: string, headers: Record<string, string>, subclass?: string): FsEvent => ({
  name, subclass, uuid: headers['Unique-ID'], at: 1000, headers: new Map(Object.entries(headers)), body: '',
});

describe('interpretEvent', () => {
  it('reads a caller entering from the cc::enqueue custom event', () => {
    const s = interpretEvent(ev('CUSTOM', { 'Unique-ID': UUID, cc_did: '4000', 'Caller-Caller-ID-Number': '13800138000', 'Caller-Caller-ID-Name': 'Li\u0007', variable_cc_queue_id: '00000000-0000-4000-8000-000000000009' }, 'cc::enqueue'));
    expect(s).toEqual({ kind: 'caller_entered', uuid: UUID, dialedNumber: '4000', queueId: '00000000-0000-4000-8000-000000000009', callerNumber: '13800138000', callerName: 'Li', priority: 0, requiredSkills: [], language: null, at: 1000 });
  });
  it('reads priority and required skills set by the dialplan or IVR, dropping malformed parts', () => {
    const s = interpretEvent(ev('CUSTOM', { 'Unique-ID': UUID, variable_cc_priority: '50', variable_cc_skills: 'chinese:5, billing:3,bad skill:2,x:11' }, 'cc::enqueue'));
    expect(s).toMatchObject({ priority: 50, requiredSkills: [{ skill: 'chinese', minLevel: 5 }, { skill: 'billing', minLevel: 3 }] });
    expect(interpretEvent(ev('CUSTOM', { 'Unique-ID': UUID, variable_cc_priority: '-3' }, 'cc::enqueue'))).toMatchObject({ priority: 0 });
  });

  it('reads keys pressed by waiting callers (cc::digit), refusing anything but one DTMF key', () => {
    expect(interpretEvent(ev('CUSTOM', { 'Unique-ID': UUID, cc_digit: '1' }, 'cc::digit'))).toEqual({ kind: 'dtmf', uuid: UUID, digit: '1', at: 1000 });
    expect(interpretEvent(ev('CUSTOM', { 'Unique-ID': UUID, cc_digit: '12' }, 'cc::digit'))).toBeNull();
    expect(interpretEvent(ev('CUSTOM', { 'Unique-ID': UUID, cc_digit: '${last_matching_digits}' }, 'cc::digit'))).toBeNull();
  });

  it('reads hangups, and ignores unknown events and bad uuids', () => {
    expect(interpretEvent(ev('CHANNEL_HANGUP_COMPLETE', { 'Unique-ID': UUID, 'Hangup-Cause': 'NO_ANSWER' }))).toMatchObject({ kind: 'channel_hangup', cause: 'NO_ANSWER' });
    expect(interpretEvent(ev('SOMETHING_NEW', { 'Unique-ID': UUID }))).toBeNull();
    expect(interpretEvent(ev('CHANNEL_HANGUP_COMPLETE', { 'Unique-ID': '../../etc' }))).toBeNull();
    expect(interpretEvent(ev('CUSTOM', { 'Unique-ID': UUID, cc_queue_id: 'drop table' }, 'cc::enqueue'))).toMatchObject({ queueId: null });
  });
});

describe('CDR rows', () => {
  const call: CallRecord = {
    callId: UUID, organizationId: 'o', callerUuid: UUID, callerNumber: '1', callerName: '', calledNumber: '4000', queueId: 'q',
    agentId: null, agentLegUuid: null, enqueuedAt: 10_000, priority: 0, requiredSkills: [], language: null, answeredAt: null, endedAt: null, hangupCause: null, disposal: null,
  };
  it('computes wait and talk seconds of an answered call', () => {
    const row = toCdrRow({ ...call, agentId: 'a', answeredAt: 17_500, endedAt: 77_750, hangupCause: 'NORMAL_CLEARING' });
    expect(row).toMatchObject({ outcome: 'answered', waitSeconds: 7.5, talkSeconds: 60.25 });
  });
  it('marks an unanswered hangup as abandoned with zero talk time', () => {
    expect(toCdrRow({ ...call, endedAt: 15_000 })).toMatchObject({ outcome: 'abandoned', waitSeconds: 5, talkSeconds: 0 });
  });
  it('keeps the disposal for overflowed and unrouted calls, and live rows open', () => {
    expect(toCdrRow({ ...call, endedAt: 12_000, disposal: 'overflowed' }).outcome).toBe('overflowed');
    expect(toCdrRow({ ...call, endedAt: 12_000, disposal: 'no_route' }).outcome).toBe('no_route');
    expect(toCdrRow(call)).toMatchObject({ outcome: 'live', waitSeconds: null, talkSeconds: null });
  });
});
