import { describe, expect, it } from 'vitest';
import { isSafeDecision, routeDecision } from '../../../src/fsxml/documents.ts';
import type { RouteDecision } from '../../../src/dialplan/resolve.ts';

const DID = '11111111-1111-4111-8111-111111111111';
const FLOW = '33333333-3333-4333-8333-333333333333';
const via = [{ kind: 'inboundNumbers' as const, id: DID, label: '4008001234' }];
const actions = (xml: string) => [...xml.matchAll(/<action application="([^"]+)"(?: data="([^"]*)")?\/>/g)].map((m) => (m[2] === undefined ? m[1] : `${m[1]} ${m[2]}`));

describe('mod_xml_curl documents for dialplan decisions', () => {
  it('IVR: the contract with the cc_ivr context', () => {
    const xml = routeDecision('public', '4008001234', { kind: 'ivr', flowId: FLOW, via });
    expect(xml).toContain('<context name="public">');
    expect(xml).toContain('expression="^4008001234$"');
    expect(actions(xml)).toEqual([
      `set cc_dialplan_did_id=${DID}`,
      `set cc_ivr_flow_id=${FLOW}`,
      'set cc_did=4008001234',
      'transfer 4008001234 XML cc_ivr',
    ]);
  });

  it('reject, announcement, extension, agent, echo, external', () => {
    expect(actions(routeDecision('public', '+8610', { kind: 'reject', code: 403, via: [] }))).toEqual(['respond 403']);
    expect(routeDecision('public', '+8610', { kind: 'reject', code: 403, via: [] })).toContain('expression="^\\+8610$"');
    expect(actions(routeDecision('public', '5000', { kind: 'announcement', announcement: 'blacklisted', via: [] }))).toEqual(['transfer cc_blacklisted XML cc_diversions']);
    expect(actions(routeDecision('public', '5000', { kind: 'extension', extension: '8000', via: [] }))).toEqual(['transfer 8000 XML default']);
    expect(actions(routeDecision('default', '8000', { kind: 'agent', agentId: DID, extension: '1001', domain: 'cc.local', via: [] }))).toEqual([
      'set call_timeout=30', 'set hangup_after_bridge=true', 'bridge user/1001@cc.local',
    ]);
    expect(actions(routeDecision('default', '9196', { kind: 'echo', via: [] }))).toEqual(['answer', 'echo']);
    expect(actions(routeDecision('default', '8003', { kind: 'external', number: '85551234', via: [] }))).toEqual(['transfer 85551234 XML cc_outbound']);
  });

  it('outbound: the gateway leg is plain telephony, with the chosen caller ID', () => {
    const xml = routeDecision('cc_outbound', '13800138000', { kind: 'outbound', routeId: DID, gateway: 'carrier', number: '13800138000', callerId: '4008001234', via: [] });
    expect(actions(xml)).toEqual(['bridge {absolute_codec_string=^^:PCMA:PCMU,rtp_secure_media=false,origination_caller_id_number=4008001234}sofia/gateway/carrier/13800138000']);
    const passThrough = routeDecision('cc_outbound', '13800138000', { kind: 'outbound', routeId: DID, gateway: 'carrier', number: '13800138000', callerId: null, via: [] });
    expect(actions(passThrough)).toEqual(['bridge {absolute_codec_string=^^:PCMA:PCMU,rtp_secure_media=false}sofia/gateway/carrier/13800138000']);
  });

  it('refuses to serve values that do not have their validated shape', () => {
    const ok: RouteDecision = { kind: 'outbound', routeId: DID, gateway: 'carrier', number: '13800138000', callerId: null, via: [] };
    expect(isSafeDecision('13800138000', ok)).toBe(true);
    expect(isSafeDecision('1380${x}', ok)).toBe(false);
    expect(isSafeDecision('13800138000', { ...ok, gateway: 'carrier/../x' })).toBe(false);
    expect(isSafeDecision('13800138000', { ...ok, callerId: '${system(id)}' })).toBe(false);
    expect(isSafeDecision('5000', { kind: 'agent', agentId: DID, extension: '1001', domain: 'cc.local}x', via: [] })).toBe(false);
    expect(isSafeDecision('5000', { kind: 'queue', queueId: DID, holdMusic: '/etc/../passwd.wav', via: [] })).toBe(false);
    expect(isSafeDecision('5000', { kind: 'ivr', flowId: 'not-a-uuid', via: [] })).toBe(false);
    expect(isSafeDecision('5000', { kind: 'echo', via: [{ kind: 'extensions', id: 'x"/>', label: '' }] })).toBe(false);
    expect(isSafeDecision('5000', { kind: 'none', reason: '', via: [] })).toBe(false);
  });
});
