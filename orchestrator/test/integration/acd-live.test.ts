import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContactCenter } from '../../src/platform/contact-center.ts';
import type { MetricsView } from '../../src/api/protocol.ts';
import { FakeFreeswitch } from '../esl-peer/fake-freeswitch.ts';
import { createTestDatabase } from '../support/db.ts';
import { ADMIN, ApiClient, startCenter, WsSession } from '../support/harness.ts';
import { waitFor } from '../support/wait.ts';

/**
 * ACD features through the whole orchestrator (real PostgreSQL, ESL test peer):
 * skills routing with rules from the queue and requirements from the dialplan,
 * VIP priority from the CRM, the last agent preferred, overflow to another
 * queue, and the live metrics supervisors see.
 */
describe('ACD routing and live metrics through the orchestrator', () => {
  let fs: FakeFreeswitch;
  let center: ContactCenter;
  let admin: ApiClient;
  let supervisorWs: WsSession;
  const agents: Record<string, { id: string; ws: WsSession; ext: string }> = {};
  const queues: Record<string, string> = {};

  beforeAll(async () => {
    fs = new FakeFreeswitch();
    center = await startCenter({ databaseUrl: await createTestDatabase(), eslPort: await fs.listen() });
    await waitFor(() => center.esl.isConnected);
    admin = new ApiClient(center.url);
    await admin.login(ADMIN.login, ADMIN.password);
    const q = async (body: Record<string, unknown>) => {
      const r = await admin.request('POST', '/api/queues', body);
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return r.body.id as string;
    };
    queues.overflowTarget = await q({ name: 'Backup', inboundNumber: '7100' });
    queues.mandarin = await q({
      name: '普通话', inboundNumber: '7000', strategy: 'skills_best_match', serviceLevelSec: 10,
      skillRules: [{ afterWaitSec: 0, requirements: [{ skill: 'mandarin', minLevel: 5 }] }, { afterWaitSec: 2, requirements: [{ skill: 'mandarin', minLevel: 2 }] }],
    });
    queues.general = await q({ name: 'General', inboundNumber: '7300', strategy: 'longest_idle' });
    queues.tiny = await q({ name: 'Tiny', inboundNumber: '7200', maxWaitSec: 1, overflowAction: 'queue', overflowTarget: queues.overflowTarget });
    for (const [ext, level] of [['2001', 8], ['2002', 3]] as const) {
      const a = await admin.request('POST', '/api/agents', { login: `agent${ext}`, displayName: `Agent ${ext}`, extension: ext, password: 'agent-pass-1' });
      await admin.request('PUT', `/api/agents/${a.body.id}/skills`, { skills: [{ skill: 'mandarin', level }, { skill: 'billing', level: ext === '2002' ? 9 : 1 }] });
      const client = new ApiClient(center.url);
      await client.login(`agent${ext}`, 'agent-pass-1');
      agents[ext] = { id: a.body.id, ws: await WsSession.open(center.url, client.cookie), ext };
      fs.setAgentBehaviour(ext, { kind: 'manual' });
    }
    await admin.request('PUT', `/api/queues/${queues.mandarin}/agents`, { members: [{ agentId: agents['2001']!.id, tier: 1 }, { agentId: agents['2002']!.id, tier: 1 }] });
    await admin.request('PUT', `/api/queues/${queues.overflowTarget}/agents`, { agentIds: [agents['2002']!.id] });
    await admin.request('PUT', `/api/queues/${queues.general}/agents`, { agentIds: [agents['2001']!.id, agents['2002']!.id] });
    await admin.request('POST', '/api/customers', { name: 'VIP 客户', phone: '13911112222', priority: 80 });
    supervisorWs = await WsSession.open(center.url, admin.cookie);
  });
  afterAll(async () => {
    supervisorWs?.close();
    for (const a of Object.values(agents)) a.ws.close();
    await center?.stop();
    await fs?.close();
  });

  const ready = async (ext: string) => {
    const { ws } = agents[ext]!;
    ws.send({ type: 'agent.set_state', status: 'ready' });
    // Ready, or already offered the next call.
    await waitFor(() => ['ready', 'reserved'].includes(center.acd.agentState(agents[ext]!.id)?.status ?? ''));
  };
  const hangupAll = async () => {
    for (const uuid of [...fs.channels.keys()]) fs.hangup(uuid);
    await waitFor(() => center.tracker.liveCalls.length === 0);
  };

  it('validates queue settings with one message per field', async () => {
    const r = await admin.request('POST', '/api/queues', { name: 'Bad', strategy: 'fastest', overflowAction: 'queue', skillRules: [{ afterWaitSec: 0, requirements: [{ skill: 'Upper Case', minLevel: 11 }] }] });
    expect(r.status).toBe(400);
    const paths = r.body.error.issues.map((i: { path: string }) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['strategy', 'skillRules.0.requirements.0.skill', 'skillRules.0.requirements.0.minLevel']));
    const noTarget = await admin.request('POST', '/api/queues', { name: 'Bad', overflowAction: 'queue' });
    expect(noTarget.status).toBe(400);
    expect(noTarget.body.error.issues).toEqual([{ path: 'overflowTarget', message: 'overflow to a queue needs the target queue id' }]);
  });

  it('routes by skill: the strong speaker first; the weaker one only after the rule relaxes', async () => {
    await ready('2002');
    const callId = fs.placeInboundCall({ callerNumber: '100', did: '7000' });
    await new Promise((r) => setTimeout(r, 800));
    expect(fs.ringingOffers()).toEqual([]); // 2002 has mandarin 3 < 5
    await waitFor(() => fs.ringingOffers().some((o) => o.extension === '2002'), 4000, 'rule relaxed after 2 s');
    fs.answerOffer('2002');
    await agents['2002']!.ws.next('call.connected', (m) => m.callId === callId);
    fs.hangup(callId);
    await waitFor(() => center.acd.agentState(agents['2002']!.id)?.status === 'ready');
  });

  it('serves a VIP (priority from the CRM) before an earlier normal call', async () => {
    await hangupAll();
    center.acd.command(agents['2001']!.id, { kind: 'not_ready', reason: 'break' });
    center.acd.command(agents['2002']!.id, { kind: 'not_ready', reason: 'break' });
    const normal = fs.placeInboundCall({ callerNumber: '200', did: '7000' });
    await new Promise((r) => setTimeout(r, 20));
    const vip = fs.placeInboundCall({ callerNumber: '13911112222', did: '7000' });
    await waitFor(() => center.acd.waitingCalls().length === 2);
    expect(center.acd.waitingCalls().find((c) => c.callId === vip)?.priority).toBe(80);
    await ready('2001');
    await waitFor(() => fs.ringingOffers().length === 1);
    expect(fs.commands.filter((c) => c.startsWith('originate')).at(-1)).toContain(`cc_call_id=${vip}`);
    fs.hangup(vip);
    fs.hangup(normal);
    await hangupAll();
  });

  it('honours skills the dialplan or IVR asks for (cc_skills)', async () => {
    await ready('2001');
    await new Promise((r) => setTimeout(r, 30));
    await ready('2002');
    // Longest idle would pick 2001, but the call needs billing >= 8 (2001 has 1, 2002 has 9).
    const callId = fs.placeInboundCall({ callerNumber: '201', did: '7300', vars: { cc_skills: 'billing:8' } });
    await waitFor(() => fs.ringingOffers().length === 1);
    expect(fs.ringingOffers()[0]!.extension).toBe('2002');
    fs.hangup(callId);
    await hangupAll();
  });

  it('prefers the agent who served this customer last', async () => {
    await ready('2002');
    // 13800000001 was served by 2002 before (previous test's caller 100 was served by 2002? use a fresh one).
    const first = fs.placeInboundCall({ callerNumber: '13800000001', did: '7100' }); // backup queue: only 2002
    await waitFor(() => fs.ringingOffers().some((o) => o.extension === '2002'));
    fs.answerOffer('2002');
    await agents['2002']!.ws.next('call.connected', (m) => m.callId === first);
    fs.hangup(first);
    await waitFor(async () => (await center.sql`select outcome from cdrs where id = ${first}`)[0]?.outcome === 'answered');
    await ready('2002');
    await ready('2001'); // 2001 is now the longest idle of the general queue
    const again = fs.placeInboundCall({ callerNumber: '13800000001', did: '7300' });
    await waitFor(() => fs.ringingOffers().length === 1);
    expect(fs.ringingOffers()[0]!.extension).toBe('2002'); // longest idle would pick 2001
    fs.hangup(again);
    await hangupAll();
  });

  it('overflows to another queue after max wait, keeping the call alive', async () => {
    center.acd.command(agents['2002']!.id, { kind: 'not_ready', reason: 'break' });
    const callId = fs.placeInboundCall({ callerNumber: '300', did: '7200' });
    await waitFor(() => center.acd.waitingCalls(queues.overflowTarget).some((c) => c.callId === callId), 4000, 'moved to backup');
    expect(fs.channels.has(callId)).toBe(true);
    await ready('2002');
    await waitFor(() => fs.ringingOffers().some((o) => o.extension === '2002'));
    fs.answerOffer('2002');
    await agents['2002']!.ws.next('call.connected', (m) => m.callId === callId);
    fs.hangup(callId);
    await waitFor(async () => (await center.sql`select outcome, queue_id from cdrs where id = ${callId}`)[0]?.queue_id === queues.overflowTarget);
  });

  it('pushes live metrics to supervisors and serves them on GET /api/metrics', async () => {
    const m = (await admin.request('GET', '/api/metrics')).body as MetricsView;
    const mandarin = m.queues.find((q) => q.queueId === queues.mandarin)!;
    // Calls into 普通话 so far: the skills call (answered), the normal and the VIP call (abandoned).
    expect(mandarin).toMatchObject({ offered: 3, answered: 1, abandoned: 2, waiting: 0 });
    expect(mandarin.asaSec).toBeGreaterThan(1.5);
    expect(mandarin.serviceLevelPct).not.toBeNull();
    const backup = m.queues.find((q) => q.queueId === queues.overflowTarget)!;
    expect(backup.answered).toBe(2);
    expect(m.queues.find((q) => q.queueId === queues.tiny)).toMatchObject({ offered: 1, leftQueue: 1, answered: 0 });
    expect(m.agents.find((a) => a.agentId === agents['2002']!.id)?.callsAnswered).toBe(3);
    const pushed = await supervisorWs.next('metrics', (x) => x.queues.some((q) => q.queueId === queues.mandarin && q.offered === 3));
    expect(pushed.agents).toHaveLength(2);
    expect((await new ApiClient(center.url).request('GET', '/api/metrics')).status).toBe(401);
  });
});
