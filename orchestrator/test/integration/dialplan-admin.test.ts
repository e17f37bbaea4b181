import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContactCenter } from '../../src/platform/contact-center.ts';
import { FakeFreeswitch } from '../esl-peer/fake-freeswitch.ts';
import { createTestDatabase } from '../support/db.ts';
import { ADMIN, ApiClient, postFsXml, startCenter } from '../support/harness.ts';

/**
 * The dialplan admin API with real PostgreSQL, and what FreeSWITCH's mod_xml_curl
 * gets on its next fetch: every change is validated (400 naming item and field),
 * audited with before/after, recorded as a revision that can be reverted, and
 * served to the next call without any reload.
 */
describe('dialplan administration: API, validation, audit, revisions, mod_xml_curl answers', () => {
  let fsw: FakeFreeswitch;
  let center: ContactCenter;
  let admin: ApiClient;
  let supervisor: ApiClient;
  let agent: ApiClient;
  let queueA: string;
  let queueB: string;
  let agentId: string;

  const fsxml = async (body: Record<string, string>) => (await postFsXml(center.url, body)).text();
  /** What FreeSWITCH posts for a dialplan hunt (a subset of the channel's headers). */
  const hunt = (context: string, destination: string, caller = '13800000000', extra: Record<string, string> = {}) =>
    fsxml({ section: 'dialplan', 'Hunt-Context': context, 'Hunt-Destination-Number': destination, 'Caller-Destination-Number': destination, 'Caller-Caller-ID-Number': caller, 'Caller-Context': context, ...extra });
  const actions = (xml: string) => [...xml.matchAll(/<action application="([^"]+)"(?: data="([^"]*)")?\/>/g)].map((m) => (m[2] === undefined ? m[1]! : `${m[1]} ${m[2]}`));
  const auditRows = (action: string) => center.sql<{ actor_user_id: string; target: string; details: any; at: Date }[]>`
    select actor_user_id, target, details, at from audit_log where action = ${action} order by id`;

  beforeAll(async () => {
    fsw = new FakeFreeswitch();
    center = await startCenter({ databaseUrl: await createTestDatabase(), eslPort: await fsw.listen() });
    admin = new ApiClient(center.url);
    await admin.login(ADMIN.login, ADMIN.password);
    queueA = (await admin.request('POST', '/api/queues', { name: 'Queue A', inboundNumber: '4000' })).body.id;
    queueB = (await admin.request('POST', '/api/queues', { name: 'Queue B' })).body.id;
    const a = await admin.request('POST', '/api/agents', { login: 'zhou', displayName: '周杰', extension: '1001', password: 'agent-pass-1' });
    agentId = a.body.id;
    agent = new ApiClient(center.url);
    await agent.login('zhou', 'agent-pass-1');
    await admin.request('POST', '/api/users', { login: 'banzhang', displayName: '班长', password: 'supervisor-pass-1', role: 'supervisor' });
    supervisor = new ApiClient(center.url);
    await supervisor.login('banzhang', 'supervisor-pass-1');
  });
  afterAll(async () => {
    await center?.stop();
    await fsw?.close();
  });

  it('admins change it, supervisors read it, agents see nothing', async () => {
    expect((await new ApiClient(center.url).request('GET', '/api/dialplan')).status).toBe(401);
    expect((await agent.request('GET', '/api/dialplan')).status).toBe(403);
    const view = await supervisor.request('GET', '/api/dialplan');
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({ inboundNumbers: [], extensions: [], outboundRoutes: [], blacklist: [], issues: [] });
    // The default dial prefix (sofia/gateway/carrier/) names a gateway outbound routes may use.
    expect(view.body.gateways).toContain('carrier');
    const denied = await supervisor.request('POST', '/api/dialplan/inbound-numbers', { number: '5000', target: { kind: 'reject' } });
    expect(denied.status).toBe(403);
    expect((await agent.request('POST', '/api/dialplan/blacklist', { number: '5000' })).status).toBe(403);
  });

  it('an inbound number routes the next call; changing it routes the call after differently; each change is audited with before/after', async () => {
    expect(await hunt('public', '5000')).toContain('status="not found"');
    const created = await admin.request('POST', '/api/dialplan/inbound-numbers', { number: '5000', target: { kind: 'queue', queueId: queueA }, description: '售前热线' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const did = created.body.item;
    expect(did).toMatchObject({ number: '5000', position: 0, enabled: true, description: '售前热线', target: { kind: 'queue', queueId: queueA } });
    expect(actions(await hunt('public', '5000'))).toEqual([`set cc_queue_id=${queueA}`, 'transfer 5000 XML cc_inbound']);

    const updated = await admin.request('PUT', `/api/dialplan/inbound-numbers/${did.id}`, { number: '5000', target: { kind: 'queue', queueId: queueB } });
    expect(updated.status).toBe(200);
    expect(actions(await hunt('public', '5000'))).toEqual([`set cc_queue_id=${queueB}`, 'transfer 5000 XML cc_inbound']);

    // To an IVR flow: the contract with the cc_ivr context.
    const definition = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '..', 'fixtures', 'ivr', 'good', 'language-choice.json'), 'utf8'));
    const flow = await admin.request('POST', '/api/ivr/flows', { name: 'Welcome', definition });
    expect(flow.status, JSON.stringify(flow.body)).toBe(201);
    const toIvr = await admin.request('PUT', `/api/dialplan/inbound-numbers/${did.id}`, { number: '5000', target: { kind: 'ivr', flowId: flow.body.id } });
    expect(toIvr.status, JSON.stringify(toIvr.body)).toBe(200);
    expect(toIvr.body.issues.map((i: { code: string; path: string }) => `${i.code} ${i.path}`)).toEqual(['unpublished_flow target.flowId']);
    expect(actions(await hunt('public', '5000'))).toEqual([`set cc_dialplan_did_id=${did.id}`, `set cc_ivr_flow_id=${flow.body.id}`, 'set cc_did=5000', 'transfer 5000 XML cc_ivr']);
    expect((await admin.request('POST', `/api/ivr/flows/${flow.body.id}/publish`)).status).toBe(200);
    expect((await admin.request('GET', '/api/dialplan')).body.issues).toEqual([]);
    await admin.request('PUT', `/api/dialplan/inbound-numbers/${did.id}`, { number: '5000', target: { kind: 'queue', queueId: queueB } });

    const audits = await auditRows('dialplan.inboundNumbers.update');
    expect(audits.length).toBeGreaterThanOrEqual(1);
    const [me] = await center.sql<{ id: string }[]>`select id from users where login = 'admin'`;
    expect(audits[0]).toMatchObject({ actor_user_id: me!.id, target: did.id });
    expect(audits[0]!.details.before.target).toEqual({ kind: 'queue', queueId: queueA });
    expect(audits[0]!.details.after.target).toEqual({ kind: 'queue', queueId: queueB });
    expect((await auditRows('dialplan.inboundNumbers.create'))[0]!.details).toMatchObject({ before: null, after: { number: '5000' } });
  });

  it('refuses invalid changes with 400, naming the item and the field, and changes nothing', async () => {
    const before = (await admin.request('GET', '/api/dialplan')).body.version;
    const clash = await admin.request('POST', '/api/dialplan/inbound-numbers', { number: '4000', target: { kind: 'queue', queueId: queueB } });
    expect(clash.status).toBe(400);
    expect(clash.body.error.code).toBe('invalid_dialplan');
    expect(clash.body.error.issues).toMatchObject([{ path: 'number', field: 'number', code: 'conflict', message: 'inbound number 4000: number: 4000 is already the inbound number of queue Queue A' }]);

    const badPattern = await admin.request('POST', '/api/dialplan/inbound-numbers', { number: '50x', target: { kind: 'reject' } });
    expect(badPattern.status).toBe(400);
    expect(badPattern.body.error.issues[0]).toMatchObject({ path: 'number' });
    expect(badPattern.body.error.issues[0].message).toMatch(/capitals/);

    const unknownGateway = await admin.request('POST', '/api/dialplan/outbound-routes', { pattern: '0X.', gateway: 'nowhere' });
    expect(unknownGateway.status).toBe(400);
    expect(unknownGateway.body.error.issues[0]).toMatchObject({ path: 'gateway', message: expect.stringMatching(/^outbound route 0X\.: gateway: unknown gateway nowhere/) });

    const dup = await admin.request('POST', '/api/dialplan/inbound-numbers', { number: '5000', target: { kind: 'reject' } });
    expect(dup.body.error.issues[0]).toMatchObject({ path: 'number', code: 'duplicate' });

    const first = await admin.request('POST', '/api/dialplan/extensions', { extension: '8001', target: { kind: 'extension', extension: '8002' } });
    expect(first.status).toBe(400); // 8002 does not exist yet
    expect(first.body.error.issues[0]).toMatchObject({ path: 'target.extension', code: 'unknown_reference' });
    const e2 = await admin.request('POST', '/api/dialplan/extensions', { extension: '8002', target: { kind: 'agent', agentId } });
    expect(e2.status).toBe(201);
    const e1 = await admin.request('POST', '/api/dialplan/extensions', { extension: '8001', target: { kind: 'extension', extension: '8002' } });
    expect(e1.status).toBe(201);
    const loop = await admin.request('PUT', `/api/dialplan/extensions/${e2.body.item.id}`, { extension: '8002', target: { kind: 'extension', extension: '8001' } });
    expect(loop.status).toBe(400);
    expect(loop.body.error.issues.map((i: { path: string; message: string }) => [i.path, i.message])).toEqual([
      ['extensions[8001].target.extension', 'extension 8001: target.extension: loop 8001 → 8002 → 8001'],
      ['target.extension', 'extension 8002: target.extension: loop 8002 → 8001 → 8002'],
    ]);
    const agentsOwn = await admin.request('POST', '/api/dialplan/extensions', { extension: '1001', target: { kind: 'echo' } });
    expect(agentsOwn.body.error.issues[0]).toMatchObject({ path: 'extension', code: 'conflict' });
    // Deleting 8002 would leave 8001 pointing nowhere.
    const orphan = await admin.request('DELETE', `/api/dialplan/extensions/${e2.body.item.id}`);
    expect(orphan.status).toBe(400);
    expect(orphan.body.error.issues[0]).toMatchObject({ path: 'extensions[8001].target.extension', code: 'unknown_reference' });

    // Schema errors (zod) name the field too.
    const schema = await admin.request('POST', '/api/dialplan/outbound-routes', { pattern: '0X.', gateway: 'carrier', stripDigits: -1, callerId: { mode: 'fixed' } });
    expect(schema.status).toBe(400);
    expect(schema.body.error.issues.map((i: { path: string }) => i.path).sort()).toEqual(['callerId.number', 'stripDigits']);
    // Only the two valid extensions were added since.
    expect((await admin.request('GET', '/api/dialplan')).body.version).toBe(before + 2);
  });

  it('the queue admin page cannot take a number the dialplan already uses', async () => {
    const patch = await admin.request('PATCH', `/api/queues/${queueB}`, { inboundNumber: '5000' });
    expect(patch.status).toBe(400);
    expect(patch.body.error.message).toMatch(/5000 is already an inbound number \(DID\) of the dialplan/);
  });

  it('agents dialing: extensions, agents, outbound routes with digits and caller ID; cc_outbound answers diversions and callbacks', async () => {
    expect(actions(await hunt('default', '8001', '1001', { variable_domain_name: 'cc.local' }))).toEqual([
      expect.stringMatching(/^set cc_dialplan_extension_id=/),
      expect.stringMatching(/^set cc_dialplan_extension_id=/),
      `set cc_dialplan_agent_id=${agentId}`,
      'set call_timeout=30',
      'set hangup_after_bridge=true',
      'bridge user/1001@cc.local',
    ]);
    // Nothing for it: the static default context decides (9196 echo test, agent_to_agent).
    expect(await hunt('default', '9196')).toContain('status="not found"');
    expect(await hunt('cc_outbound', '13800138000')).toContain('status="not found"');

    const route = await admin.request('POST', '/api/dialplan/outbound-routes', {
      pattern: '0X.', position: 10, gateway: 'carrier', stripDigits: 1, prepend: '+86', callerId: { mode: 'fixed', number: '4008001234' },
    });
    expect(route.status, JSON.stringify(route.body)).toBe(201);
    const mobile = await admin.request('POST', '/api/dialplan/outbound-routes', {
      pattern: '1[3-9]XXXXXXXXX', position: 20, gateway: 'carrier', callerId: { mode: 'pool', numbers: ['4008001235', '4008001236'] },
    });
    expect(mobile.status).toBe(201);
    expect(actions(await hunt('cc_outbound', '01065529988'))).toEqual([
      `set cc_dialplan_route_id=${route.body.item.id}`,
      'bridge {absolute_codec_string=^^:PCMA:PCMU,rtp_secure_media=false,origination_caller_id_number=4008001234}sofia/gateway/carrier/+861065529988',
    ]);
    const first = actions(await hunt('default', '13800138000', '1001'));
    expect(first[1]).toMatch(/^bridge \{.*origination_caller_id_number=400800123[56]\}sofia\/gateway\/carrier\/13800138000$/);
    expect(actions(await hunt('default', '13800138000', '1001'))).toEqual(first);
    // A broader route placed before them would make them unreachable.
    const shadow = await admin.request('POST', '/api/dialplan/outbound-routes', { pattern: 'X.', position: 1, gateway: 'carrier' });
    expect(shadow.status).toBe(400);
    expect(shadow.body.error.issues.map((i: { path: string; code: string }) => `${i.code} ${i.path}`)).toEqual([
      'shadowed outboundRoutes[0X.].pattern',
      'shadowed outboundRoutes[1[3-9]XXXXXXXXX].pattern',
    ]);
    // The "test a number" tool resolves with the same code.
    const tested = await supervisor.request('POST', '/api/dialplan/resolve', { context: 'cc_outbound', destination: '01065529988' });
    expect(tested.body).toMatchObject({ kind: 'outbound', gateway: 'carrier', number: '+861065529988', callerId: '4008001234' });
  });

  it('blacklisted callers are rejected (403) or hear an announcement, from the next call on', async () => {
    expect(actions(await hunt('public', '5000', '13900001111'))).toContain('transfer 5000 XML cc_inbound');
    const entry = await admin.request('POST', '/api/dialplan/blacklist', { number: '13900001111', action: 'reject', reason: '骚扰电话' });
    expect(entry.status).toBe(201);
    expect(actions(await hunt('public', '5000', '13900001111'))).toEqual([`set cc_dialplan_blacklist_id=${entry.body.item.id}`, 'respond 403']);
    // Other callers still get through; the queue's own number is behind the blacklist too.
    expect(actions(await hunt('public', '5000', '13900002222'))).toContain('transfer 5000 XML cc_inbound');
    expect(actions(await hunt('public', '4000', '13900001111'))).toEqual([`set cc_dialplan_blacklist_id=${entry.body.item.id}`, 'respond 403']);
    const prefix = await admin.request('POST', '/api/dialplan/blacklist', { number: '170X.', position: 10, action: 'announcement' });
    expect(actions(await hunt('public', '5000', '17012345678'))).toEqual([`set cc_dialplan_blacklist_id=${prefix.body.item.id}`, 'transfer cc_blacklisted XML cc_diversions']);
    const expired = await admin.request('PUT', `/api/dialplan/blacklist/${prefix.body.item.id}`, { number: '170X.', position: 10, action: 'announcement', expiresAt: '2020-01-01T00:00:00+08:00' });
    expect(expired.body.issues.map((i: { code: string }) => i.code)).toEqual(['expired']);
    expect(actions(await hunt('public', '5000', '17012345678'))).toContain('transfer 5000 XML cc_inbound');
    expect((await admin.request('DELETE', `/api/dialplan/blacklist/${prefix.body.item.id}`)).status).toBe(200);
    expect((await admin.request('DELETE', `/api/dialplan/blacklist/${prefix.body.item.id}`)).status).toBe(404);
  });

  it('every change is a revision; reverting one puts the item back (and is itself revertible), unless it changed since', async () => {
    const list = await supervisor.request('GET', '/api/dialplan/revisions?limit=100');
    expect(list.status).toBe(200);
    const blacklistCreate = list.body.find((r: { kind: string; action: string; after: { number?: string } | null }) => r.kind === 'blacklist' && r.action === 'create' && r.after?.number === '13900001111');
    expect(blacklistCreate).toMatchObject({ actorLogin: 'admin', before: null, revertedBy: null });
    expect((await supervisor.request('POST', `/api/dialplan/revisions/${blacklistCreate.id}/revert`)).status).toBe(403);

    const reverted = await admin.request('POST', `/api/dialplan/revisions/${blacklistCreate.id}/revert`);
    expect(reverted.status, JSON.stringify(reverted.body)).toBe(200);
    // The blacklisted caller gets through again on the next call.
    expect(actions(await hunt('public', '5000', '13900001111'))).toContain('transfer 5000 XML cc_inbound');
    const again = await admin.request('POST', `/api/dialplan/revisions/${blacklistCreate.id}/revert`);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('stale');
    // Revert the revert: the entry is back, with its id.
    expect((await admin.request('POST', `/api/dialplan/revisions/${reverted.body.revisionId}/revert`)).status).toBe(200);
    expect(actions(await hunt('public', '5000', '13900001111'))).toEqual([`set cc_dialplan_blacklist_id=${blacklistCreate.itemId}`, 'respond 403']);

    const revertAudits = await auditRows('dialplan.blacklist.revert');
    expect(revertAudits).toHaveLength(2);
    expect(revertAudits[0]!.details).toMatchObject({ reverts: blacklistCreate.id, before: { number: '13900001111' }, after: null });

    // The entry's history, newest first.
    const didRevs = (await supervisor.request('GET', `/api/dialplan/revisions?itemId=${blacklistCreate.itemId}`)).body;
    expect(didRevs.map((r: { action: string }) => r.action)).toEqual(['revert', 'revert', 'create']);
    expect((await admin.request('POST', '/api/dialplan/revisions/999999/revert')).status).toBe(404);
  });

  it('exports and imports the whole dialplan as one JSON file: validated, all or nothing, and revertible', async () => {
    const exported = await fetch(`${center.url}/api/dialplan/export`, { headers: { cookie: supervisor.cookie } });
    expect(exported.headers.get('content-disposition')).toBe('attachment; filename="dialplan.json"');
    const file = await exported.json();
    expect(file).toMatchObject({ format: 'cc-dialplan', version: 1 });
    expect(file.inboundNumbers).toHaveLength(1);
    const versionBefore = (await admin.request('GET', '/api/dialplan')).body.version;

    // One bad item anywhere: nothing is imported.
    const bad = { ...file, inboundNumbers: [...file.inboundNumbers, { number: '6000', target: { kind: 'queue', queueId: '99999999-9999-4999-8999-999999999999' } }] };
    const refused = await admin.request('POST', '/api/dialplan/import', bad);
    expect(refused.status).toBe(400);
    expect(refused.body.error.issues).toMatchObject([{ path: 'inboundNumbers[6000].target.queueId', code: 'unknown_reference' }]);
    expect((await admin.request('GET', '/api/dialplan')).body.version).toBe(versionBefore);
    expect((await admin.request('POST', '/api/dialplan/import', { ...file, format: 'other' })).status).toBe(400);
    // The same file checked without saving: the same issue, nothing written.
    const checked = await supervisor.request('POST', '/api/dialplan/check', bad);
    expect(checked.body.issues.map((i: { code: string; path: string }) => `${i.code} ${i.path}`)).toEqual(['unknown_reference inboundNumbers[6000].target.queueId']);
    expect((await admin.request('GET', '/api/dialplan')).body.version).toBe(versionBefore);

    const good = { ...file, inboundNumbers: [...file.inboundNumbers, { number: '6000', target: { kind: 'reject', code: 486 } }], blacklist: [] };
    const imported = await admin.request('POST', '/api/dialplan/import', good);
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    expect(imported.body.counts).toEqual({ inboundNumbers: 2, extensions: 2, outboundRoutes: 2, blacklist: 0 });
    expect(actions(await hunt('public', '6000'))).toEqual([expect.stringMatching(/^set cc_dialplan_did_id=/), 'respond 486']);
    expect(actions(await hunt('public', '5000', '13900001111'))).toContain('transfer 5000 XML cc_inbound');
    // Ids in the file are kept.
    expect((await admin.request('GET', '/api/dialplan/inbound-numbers')).body.map((i: { id: string }) => i.id)).toContain(file.inboundNumbers[0].id);
    const [audit] = await auditRows('dialplan.dialplan.import');
    expect(audit!.details).toMatchObject({ revisionId: imported.body.revisionId, counts: { inboundNumbers: 2 } });

    const undo = await admin.request('POST', `/api/dialplan/revisions/${imported.body.revisionId}/revert`);
    expect(undo.status, JSON.stringify(undo.body)).toBe(200);
    expect(await hunt('public', '6000')).toContain('status="not found"');
    expect(actions(await hunt('public', '5000', '13900001111'))).toEqual([expect.stringMatching(/^set cc_dialplan_blacklist_id=/), 'respond 403']);
  });
});
