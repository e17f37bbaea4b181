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
    expect(s).toEqual({ kind: 'caller_entered', uuid: UUID, dialedNumber: '4000', queueId: '00000000-0000-4000-8000-000000000009', callerNumber: '13800138000', callerName: 'Li', priority: 0, requiredSkills: [], language: null, ivrData: {}, afterCall: false, at: 1000 });
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

  it('reads the IVR data and the after-call flag a caller brings from the IVR into the queue', () => {
    const s = interpretEvent(ev('CUSTOM', { 'Unique-ID': UUID, variable_cc_ivr_data: JSON.stringify({ account: '123456', 'Bad Key': 'x', n: 5, name: 'Li\u0000' }), variable_cc_after_call: 'true' }, 'cc::enqueue'));
    expect(s).toMatchObject({ ivrData: { account: '123456', name: 'Li' }, afterCall: true });
    expect(interpretEvent(ev('CUSTOM', { 'Unique-ID': UUID, variable_cc_ivr_data: '[1,2]' }, 'cc::enqueue'))).toMatchObject({ ivrData: {}, afterCall: false });
    expect(interpretEvent(ev('CUSTOM', { 'Unique-ID': UUID, variable_cc_ivr_data: '{not json' }, 'cc::enqueue'))).toMatchObject({ ivrData: {} });
  });

  it('reads a caller reaching an IVR flow (cc::ivr), refusing a malformed flow id', () => {
    const flowId = '0b5a3c8e-1f2d-4e6a-9b7c-8d9e0f1a2b3c';
    expect(interpretEvent(ev('CUSTOM', { 'Unique-ID': UUID, variable_cc_ivr_flow_id: flowId, variable_cc_did: '95100', 'Caller-Caller-ID-Number': '139' }, 'cc::ivr'))).toEqual({
      kind: 'ivr_entered', uuid: UUID, flowId, dialedNumber: '95100', callerNumber: '139', callerName: '', at: 1000,
    });
    expect(interpretEvent(ev('CUSTOM', { 'Unique-ID': UUID, variable_cc_ivr_flow_id: 'x; drop' }, 'cc::ivr'))).toBeNull();
  });

  it('reads application completions with the collected keys and the recording length', () => {
    const appUuid = 'f9a2d1c4-0000-4000-8000-00000000abcd';
    expect(interpretEvent(ev('CHANNEL_EXECUTE_COMPLETE', { 'Unique-ID': UUID, Application: 'play_and_get_digits', 'Application-Response': '_none_', 'Application-UUID': appUuid, variable_cc_ivr_digits: '12<3#' }))).toMatchObject({
      kind: 'app_completed', applicationUuid: appUuid, application: 'play_and_get_digits', digits: '123#', recordMs: null,
    });
    expect(interpretEvent(ev('CHANNEL_EXECUTE_COMPLETE', { 'Unique-ID': UUID, Application: 'record', 'Application-UUID': appUuid, variable_record_ms: '4200' }))).toMatchObject({ recordMs: 4200, digits: '' });
    expect(interpretEvent(ev('CHANNEL_EXECUTE_COMPLETE', { 'Unique-ID': UUID, Application: 'set' }))).toBeNull();
  });

  it('reads the voicemail a hanging-up channel recorded, refusing unsafe paths and mailboxes', () => {
    const base = { 'Unique-ID': UUID, 'Hangup-Cause': 'NORMAL_CLEARING', 'Caller-Caller-ID-Number': '138', variable_cc_voicemail_box: 'sales', variable_record_ms: '3600' };
    expect(interpretEvent(ev('CHANNEL_HANGUP_COMPLETE', { ...base, variable_cc_voicemail_file: '/vm/sales/a.wav' }))).toMatchObject({
      voicemail: { mailbox: 'sales', file: '/vm/sales/a.wav', recordMs: 3600, callerNumber: '138', organizationId: null, data: {} },
    });
    expect(interpretEvent(ev('CHANNEL_HANGUP_COMPLETE', { ...base, variable_cc_voicemail_file: '/vm/../etc/a.wav' }))).not.toHaveProperty('voicemail');
    expect(interpretEvent(ev('CHANNEL_HANGUP_COMPLETE', { ...base, variable_cc_voicemail_box: '../x', variable_cc_voicemail_file: '/vm/x/a.wav' }))).not.toHaveProperty('voicemail');
  });
});

describe('CDR rows', () => {
  const call: CallRecord = {
    callId: UUID, organizationId: 'o', callerUuid: UUID, callerNumber: '1', callerName: '', calledNumber: '4000', queueId: 'q',
    agentId: null, agentLegUuid: null, enqueuedAt: 10_000, priority: 0, requiredSkills: [], language: null, ivrData: {}, afterCall: false, answeredAt: null, agentLeftAt: null, endedAt: null, hangupCause: null, disposal: null,
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
