import { describe, expect, it } from 'vitest';
import { channelVarValue, originateToAgent, UnsafeCommandArgumentError, uuidKill, uuidTransfer } from '../../src/esl/commands.ts';
import { parseVarBlock } from '../esl-peer/fake-freeswitch.ts';

const base = {
  agentLegUuid: '11111111-1111-4111-8111-111111111111',
  callId: '22222222-2222-4222-8222-222222222222',
  callerUuid: '22222222-2222-4222-8222-222222222222',
  extension: '1001',
  sipDomain: 'cc.local',
  callerNumber: '13800138000',
  callerName: 'Zhang San',
  queueName: 'Sales',
  ringTimeoutSec: 20,
};

describe('originateToAgent', () => {
  it('builds one originate with the call variables and parks the answered leg', () => {
    const cmd = originateToAgent(base);
    expect(cmd).toMatch(/^originate \{.*\}user\/1001@cc\.local &park\(\)$/);
    const vars = parseVarBlock(/\{(.*)\}/.exec(cmd)![1]!);
    expect(vars.get('origination_uuid')).toBe(base.agentLegUuid);
    expect(vars.get('originate_timeout')).toBe('20');
    expect(vars.get('origination_caller_id_name')).toBe('Zhang San');
    expect(vars.get('sip_h_X-CC-Call-Id')).toBe(base.callId);
  });

  it('neutralises caller names that try to break out of the variable block', () => {
    const cmd = originateToAgent({ ...base, callerName: "x} &hangup() {a='b,c" });
    expect(cmd.match(/\{/g)).toHaveLength(1);
    expect(cmd.endsWith('user/1001@cc.local &park()')).toBe(true);
    const vars = parseVarBlock(/\{(.*)\}/.exec(cmd)![1]!);
    expect(vars.get('origination_caller_id_name')).toBe('x &hangup() a=b,c');
  });

  it('rejects unsafe extensions and uuids', () => {
    expect(() => originateToAgent({ ...base, extension: '1001 &bridge(x)' })).toThrow(UnsafeCommandArgumentError);
    expect(() => originateToAgent({ ...base, agentLegUuid: 'not-a-uuid' })).toThrow(UnsafeCommandArgumentError);
    expect(() => uuidKill('x; shutdown')).toThrow(UnsafeCommandArgumentError);
    expect(() => uuidKill(base.callId, 'lower case')).toThrow(UnsafeCommandArgumentError);
    expect(() => uuidTransfer(base.callId, 'a b', 'ctx')).toThrow(UnsafeCommandArgumentError);
  });

  it('quotes values with spaces and escapes commas', () => {
    expect(channelVarValue('a b')).toBe("'a b'");
    expect(channelVarValue('a,b')).toBe('a\\,b');
    expect(channelVarValue('张三')).toBe('张三');
  });
});
