import { describe, expect, it } from 'vitest';
import { compileDialplan, resolveRoute, type RouteRefs, type RouteRequest } from '../../../src/dialplan/resolve.ts';
import { planRevert, withItem } from '../../../src/dialplan/changes.ts';
import { parseItem } from '../../../src/dialplan/store/dialplan-repository.ts';
import { AGENT_LI, FLOW_MAIN, QUEUE_SALES, QUEUE_SUPPORT, dialplan, item } from './fixtures.ts';

const routeRefs: RouteRefs = {
  queues: [
    { id: QUEUE_SALES, name: '销售', inboundNumber: '4000', holdMusic: null },
    { id: QUEUE_SUPPORT, name: 'Support', inboundNumber: null, holdMusic: 'tone_stream://%(1000,4000,440)' },
  ],
  agents: [{ id: AGENT_LI, extension: '1001', name: '李雷' }],
  sipDomain: 'cc.local',
};
const now = new Date('2026-03-01T08:00:00Z');
const req = (context: RouteRequest['context'], destination: string, caller: string | null = null): RouteRequest => ({ context, destination, caller, now });

const d = dialplan({
  inboundNumbers: [
    { number: '4008001234', target: { kind: 'ivr', flowId: FLOW_MAIN } },
    { number: '40X', position: 5, target: { kind: 'queue', queueId: QUEUE_SUPPORT } },
    { number: '400800XXXX', position: 10, target: { kind: 'extension', extension: '8000' } },
    { number: '4008.', position: 20, target: { kind: 'reject', code: 404 } },
    { number: '5999', target: { kind: 'announcement', announcement: 'closed' }, enabled: false },
  ],
  extensions: [
    { extension: '8000', target: { kind: 'extension', extension: '8001' } },
    { extension: '8001', target: { kind: 'agent', agentId: AGENT_LI } },
    { extension: '8002', target: { kind: 'external', number: '13800138000' } },
    { extension: '8003', target: { kind: 'external', number: '85551234' } },
    { extension: '8004', target: { kind: 'queue', queueId: QUEUE_SALES } },
    { extension: '9196', target: { kind: 'echo' } },
    { extension: '8100', target: { kind: 'extension', extension: '8101' } },
    { extension: '8101', target: { kind: 'extension', extension: '8100' } },
  ],
  outboundRoutes: [
    { pattern: '1[3-9]XXXXXXXXX', position: 10, gateway: 'carrier', callerId: { mode: 'pool', numbers: ['4008001234', '4008001235', '4008001236'] } },
    { pattern: '0X.', position: 20, gateway: 'backup', stripDigits: 1, prepend: '+86', callerId: { mode: 'fixed', number: '4008001234' } },
    { pattern: 'X.', position: 30, gateway: 'carrier', enabled: false },
  ],
  blacklist: [
    { number: '13900001111', action: 'reject' },
    { number: '170X.', position: 10, action: 'announcement' },
    { number: '171X.', position: 11, action: 'reject', expiresAt: '2026-02-01T00:00:00Z' },
  ],
});
const c = compileDialplan(d);
const resolve = (r: RouteRequest) => resolveRoute(c, routeRefs, r);

describe('route resolution: public context (trunk calls)', () => {
  it('blacklisted callers first, whatever they dial', () => {
    expect(resolve(req('public', '4008001234', '13900001111'))).toMatchObject({ kind: 'reject', code: 403, via: [{ kind: 'blacklist', label: '13900001111' }] });
    expect(resolve(req('public', '4000', '17012345678'))).toMatchObject({ kind: 'announcement', announcement: 'blacklisted' });
    // Expired entries no longer apply; callers that are not numbers are never blacklisted.
    expect(resolve(req('public', '4008001234', '17112345678'))).toMatchObject({ kind: 'ivr' });
    expect(resolve(req('public', '4008001234', 'anonymous'))).toMatchObject({ kind: 'ivr' });
  });

  it('exact inbound numbers and queue numbers, then patterns in order', () => {
    expect(resolve(req('public', '4008001234'))).toMatchObject({ kind: 'ivr', flowId: FLOW_MAIN });
    expect(resolve(req('public', '4000'))).toMatchObject({ kind: 'queue', queueId: QUEUE_SALES, holdMusic: null, via: [{ kind: 'queue', label: '销售' }] });
    expect(resolve(req('public', '401'))).toMatchObject({ kind: 'queue', queueId: QUEUE_SUPPORT, holdMusic: 'tone_stream://%(1000,4000,440)' });
    expect(resolve(req('public', '4008009999'))).toMatchObject({ kind: 'extension', extension: '8000' });
    expect(resolve(req('public', '40085'))).toMatchObject({ kind: 'reject', code: 404 });
    expect(resolve(req('public', '5999'))).toMatchObject({ kind: 'none' }); // disabled
    expect(resolve(req('public', '6000'))).toMatchObject({ kind: 'none', reason: 'no inbound number matches' });
    expect(resolve(req('public', '4008;drop'))).toMatchObject({ kind: 'none', reason: 'not a number' });
  });
});

describe('route resolution: default context (agents dialing) and cc_outbound', () => {
  it('follows extensions to agents, queues, echo; agents own extensions', () => {
    expect(resolve(req('default', '8000'))).toMatchObject({
      kind: 'agent', agentId: AGENT_LI, extension: '1001', domain: 'cc.local',
      via: [{ kind: 'extensions', label: '8000' }, { kind: 'extensions', label: '8001' }, { kind: 'agent', label: '李雷' }],
    });
    expect(resolve(req('default', '1001'))).toMatchObject({ kind: 'agent', extension: '1001', via: [{ kind: 'agent' }] });
    expect(resolve(req('default', '8004'))).toMatchObject({ kind: 'queue', queueId: QUEUE_SALES });
    expect(resolve(req('default', '9196'))).toMatchObject({ kind: 'echo' });
    expect(resolve(req('default', '8100'))).toMatchObject({ kind: 'none', reason: 'extension loop at 8100' });
  });

  it('outside numbers go through the first matching outbound route, digits and caller ID as configured', () => {
    const mobile = resolve(req('default', '13800138000'));
    expect(mobile).toMatchObject({ kind: 'outbound', gateway: 'carrier', number: '13800138000' });
    const pool = ['4008001234', '4008001235', '4008001236'];
    expect(pool).toContain((mobile as { callerId: string }).callerId);
    // The same called number always gets the same pool number; different numbers spread over the pool.
    expect(resolve(req('cc_outbound', '13800138000'))).toMatchObject({ callerId: (mobile as { callerId: string }).callerId });
    const used = new Set(Array.from({ length: 60 }, (_, i) => (resolve(req('cc_outbound', `1380013${String(8000 + i)}`)) as { callerId: string }).callerId));
    expect(used.size).toBe(3);
    expect(resolve(req('cc_outbound', '01065529988'))).toMatchObject({ kind: 'outbound', gateway: 'backup', number: '+861065529988', callerId: '4008001234' });
    expect(resolve(req('default', '8002'))).toMatchObject({ kind: 'outbound', gateway: 'carrier', via: [{ kind: 'extensions' }, { kind: 'outboundRoutes' }] });
    // No route for it: handed to cc_outbound, whose static fallback dials it.
    expect(resolve(req('default', '8003'))).toMatchObject({ kind: 'external', number: '85551234' });
    expect(resolve(req('cc_outbound', '85551234'))).toMatchObject({ kind: 'none', reason: 'no outbound route matches' });
  });
});

describe('revisions: revert', () => {
  it('puts an item back only while it is as the revision left it', () => {
    const route = item('outboundRoutes', { pattern: '00X.', gateway: 'carrier' });
    const changed = { ...route, gateway: 'backup' };
    const current = withItem(d, 'outboundRoutes', route.id, changed);
    const revision = { id: 7, kind: 'outboundRoutes' as const, itemId: route.id, action: 'update' as const, before: route, after: changed };
    const plan = planRevert(current, revision, parseItem);
    expect(plan.ok && plan.next.outboundRoutes.find((r) => r.id === route.id)?.gateway).toBe('carrier');
    const later = withItem(current, 'outboundRoutes', route.id, { ...changed, prepend: '9' });
    expect(planRevert(later, revision, parseItem)).toEqual({ ok: false, reason: 'this item changed after revision 7: revert the later revisions first' });
    // Reverting a creation removes the item.
    const created = planRevert(withItem(d, 'outboundRoutes', route.id, route), { ...revision, action: 'create', before: null, after: route }, parseItem);
    expect(created.ok && created.next.outboundRoutes.some((r) => r.id === route.id)).toBe(false);
  });
});
