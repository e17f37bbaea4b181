import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import type { ContactCenter } from '../../src/platform/contact-center.ts';
import { FakeFreeswitch, splitArgs } from '../esl-peer/fake-freeswitch.ts';
import { createTestDatabase } from '../support/db.ts';
import { ADMIN, ApiClient, startCenter, WsSession } from '../support/harness.ts';
import { waitFor } from '../support/wait.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setUp(env: Record<string, string> = {}) {
  const fake = new FakeFreeswitch();
  const eslPort = await fake.listen();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-ivr-'));
  const center: ContactCenter = await startCenter({ databaseUrl: await createTestDatabase(), eslPort, env: { CC_DATA_DIR: dataDir, ...env } });
  cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  cleanups.push(() => fake.close());
  cleanups.push(() => center.stop());
  await waitFor(() => center.esl.isConnected);
  const admin = new ApiClient(center.url);
  await admin.login(ADMIN.login, ADMIN.password);
  return { fake, center, admin, dataDir };
}

async function publish(admin: ApiClient, name: string, definition: unknown): Promise<string> {
  const created = await admin.request('POST', '/api/ivr/flows', { name, definition });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const published = await admin.request('POST', `/api/ivr/flows/${created.body.id}/publish`);
  expect(published.status, JSON.stringify(published.body)).toBe(200);
  return created.body.id as string;
}

/** The applications the runtime ran on one channel, e.g. ['playback', 'play_and_get_digits']. */
const appsOn = (fake: FakeFreeswitch, uuid: string) => fake.executions.filter((e) => e.uuid === uuid);

describe('IVR runtime over the Event Socket', () => {
  it('walks a menu, collects an account number, looks it up over HTTP and queues the caller with the data in the screen pop', async () => {
    const { fake, center, admin } = await setUp();
    // The business system the flow queries.
    const requests: string[] = [];
    const crm = http.createServer((req, res) => {
      requests.push(req.url ?? '');
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ data: { name: 'Wang', tier: 'gold' } }));
    });
    await new Promise<void>((r) => crm.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => crm.close(() => r())));
    const crmUrl = `http://127.0.0.1:${(crm.address() as AddressInfo).port}`;

    const q = await admin.request('POST', '/api/queues', { name: 'Billing', inboundNumber: null });
    const agent = await admin.request('POST', '/api/agents', { login: 'lin', displayName: '林', extension: '3201', password: 'agent-pass-1' });
    await admin.request('PUT', `/api/queues/${q.body.id}/agents`, { agentIds: [agent.body.id] });
    const flowId = await publish(admin, 'Billing line', {
      name: 'Billing line',
      language: 'en',
      start: 'menu',
      nodes: {
        menu: { type: 'menu', prompt: { tts: { en: 'For billing press 1' } }, choices: { '1': 'account' }, timeoutSec: 3, onFail: 'bye' },
        account: { type: 'collect', prompt: { tts: { en: 'Enter your account number, then hash' } }, variable: 'account', minLength: 6, maxLength: 10, terminator: '#', next: 'lookup', onFail: 'bye' },
        lookup: { type: 'http', url: `${crmUrl}/accounts/\${account}`, responseMap: { customer_name: 'data.name', tier: 'data.tier' }, next: 'queue', onError: 'bye' },
        queue: { type: 'queue', queueId: q.body.id, priority: 5 },
        bye: { type: 'hangup' },
      },
    });

    const agentApi = new ApiClient(center.url);
    await agentApi.login('lin', 'agent-pass-1');
    const ws = await WsSession.open(center.url, agentApi.cookie);
    cleanups.push(() => ws.close());
    fake.setAgentBehaviour('3201', { kind: 'manual' });
    await ws.next('agent.state', (m) => m.status === 'not_ready');
    ws.send({ type: 'agent.set_state', status: 'ready' });
    await ws.next('agent.state', (m) => m.status === 'ready');

    const caller = fake.placeIvrCall({ callerNumber: '13700000001', did: '95001', flowId });
    // The menu prompt is spoken by mod_flite (say:) inside play_and_get_digits, so a key barges in.
    await waitFor(() => appsOn(fake, caller).some((e) => e.app === 'play_and_get_digits'));
    const menu = appsOn(fake, caller).find((e) => e.app === 'play_and_get_digits')!;
    expect(splitArgs(menu.arg)).toEqual(['1', '1', '1', '3000', 'none', 'say:For billing press 1', 'silence_stream://0', 'cc_ivr_digits', '.*', '3000']);
    fake.pressKeys(caller, '1');
    await waitFor(() => appsOn(fake, caller).filter((e) => e.app === 'play_and_get_digits').length === 2);
    const collect = splitArgs(appsOn(fake, caller)[1]!.arg);
    expect(collect.slice(0, 5)).toEqual(['1', '10', '1', '5000', '#']);
    fake.pressKeys(caller, '123456#');

    // Reaches the queue with the IVR's data; the agent's offer carries it.
    const offered = await ws.next('call.offered', (m) => m.callId === caller);
    expect(requests).toEqual(['/accounts/123456']);
    // What the caller entered and the flow looked up; not what the card shows anyway or the runtime handed in.
    expect(offered.ivrData).toEqual({ account: '123456', customer_name: 'Wang', tier: 'gold' });
    expect(fake.commands).toContain(`uuid_setvar ${caller} cc_queue_id ${q.body.id}`);
    expect(fake.commands).toContain(`uuid_setvar ${caller} cc_priority 5`);
    expect(fake.commands).toContain(`uuid_transfer ${caller} 95001 XML cc_inbound`);
    expect(center.tracker.call(caller)?.priority).toBe(5);

    // Per-node statistics are stored and served.
    await waitFor(async () => (await center.sql`select outcome from ivr_runs where call_uuid = ${caller}`)[0]?.outcome === 'queue');
    const stats = await admin.request('GET', `/api/ivr/flows/${flowId}/statistics`);
    expect(stats.status).toBe(200);
    expect(stats.body).toMatchObject({ runs: 1, finishedRuns: 1, selfServiceRuns: 0, outcomes: { queue: 1 } });
    expect(stats.body.nodes.menu).toEqual({ visits: 1, exits: { 'choice:1': 1 }, hangups: 0 });
    expect(stats.body.nodes.lookup.exits).toEqual({ ok: 1 });
    const [run] = await center.sql`select path, variables from ivr_runs where call_uuid = ${caller}`;
    expect(run!.path).toEqual(['menu', 'account', 'lookup', 'queue']);
  });

  it('retries on a bad key, follows the error branch when the business system fails, and counts a hang-up where it happened', async () => {
    const { fake, center, admin } = await setUp();
    const flowId = await publish(admin, 'Outage line', {
      name: 'Outage line',
      language: 'en',
      start: 'notice',
      nodes: {
        notice: { type: 'notice', enabledVar: 'outage', prompt: { tone: 'tone_stream://%(200,0,800)' }, next: 'menu' },
        menu: { type: 'menu', prompt: { tts: { en: 'Press 2 for your balance' } }, choices: { '2': 'lookup' }, timeoutSec: 2, maxRetries: 2, invalidPrompt: { tts: { en: 'Sorry' } }, onFail: 'bye' },
        lookup: { type: 'http', url: 'http://127.0.0.1:1/balance', timeoutMs: 500, retries: 1, next: 'say', onError: 'sorry' },
        say: { type: 'say', what: 'number', value: '1', next: 'bye' },
        sorry: { type: 'play', prompt: { tts: { en: 'Our system is down, please hold' } }, next: 'wait' },
        wait: { type: 'menu', prompt: { tone: 'tone_stream://%(100,0,400)' }, choices: { '9': 'bye' }, timeoutSec: 30, onFail: 'bye' },
        bye: { type: 'hangup' },
      },
    });
    const on = await admin.request('PUT', '/api/ivr/switches/outage', { enabled: true, description: 'Outage notice' });
    expect(on.status).toBe(200);

    const caller = fake.placeIvrCall({ callerNumber: '13700000002', did: '95002', flowId });
    // The admin's switch turned the notice on: it plays first (a plain playback: no barge-in).
    await waitFor(() => appsOn(fake, caller).length >= 2);
    expect(appsOn(fake, caller)[0]).toMatchObject({ app: 'playback', arg: 'tone_stream://%(200,0,800)' });
    fake.pressKeys(caller, '7');
    // A wrong key: the invalid prompt and the menu again, in one play_and_get_digits.
    await waitFor(() => appsOn(fake, caller).filter((e) => e.app === 'play_and_get_digits').length === 2);
    expect(splitArgs(appsOn(fake, caller).at(-1)!.arg)[5]).toBe('file_string://say:Sorry!say:Press 2 for your balance');
    fake.pressKeys(caller, '2');
    // The HTTP lookup fails twice (connection refused): the error branch plays its apology.
    await waitFor(() => appsOn(fake, caller).some((e) => e.arg.includes('Our system is down')));
    await waitFor(() => appsOn(fake, caller).at(-1)!.arg.includes('tone_stream://%(100,0,400)'));
    fake.hangup(caller);
    await waitFor(async () => (await center.sql`select outcome from ivr_runs where call_uuid = ${caller}`)[0]?.outcome === 'caller_hangup');
    const stats = (await admin.request('GET', `/api/ivr/flows/${flowId}/statistics`)).body;
    expect(stats.nodes.notice.exits).toEqual({ played: 1 });
    expect(stats.nodes.menu).toEqual({ visits: 1, exits: { 'choice:2': 1 }, hangups: 0 });
    expect(stats.nodes.lookup.exits).toEqual({ error: 1 });
    expect(stats.nodes.wait).toEqual({ visits: 1, exits: { caller_hangup: 1 }, hangups: 1 });
    // A caller who hangs up inside the flow (never handed to an agent) counts as served by the IVR.
    expect(stats).toMatchObject({ runs: 1, finishedRuns: 1, outcomes: { caller_hangup: 1 }, selfServiceRate: 1 });
    const audit = await center.sql`select action, target, details from audit_log where action = 'ivr.switch'`;
    expect(audit[0]).toMatchObject({ target: 'outage', details: { before: null, after: true } });
  });

  it('records a voicemail into the mailbox folder, stores it, notifies the webhook and by email, and lets an agent list and play it (audited)', async () => {
    const mails: string[] = [];
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      onData(stream, _session, done) {
        let text = '';
        stream.on('data', (d: Buffer) => (text += d.toString()));
        stream.on('end', () => {
          mails.push(text);
          done();
        });
      },
    });
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => smtp.close(() => r())));
    const smtpPort = (smtp.server.address() as AddressInfo).port;
    const { fake, center, admin, dataDir } = await setUp({ CC_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, CC_MAIL_FROM: 'cc@example.test' });
    const hooks: unknown[] = [];
    const hook = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        hooks.push(JSON.parse(body));
        res.end('ok');
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => hook.close(() => r())));
    const box = await admin.request('PUT', '/api/voicemail-boxes/sales', { description: 'Sales', webhookUrl: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/vm`, email: 'sales-team@example.test' });
    expect(box.status).toBe(200);
    expect((await admin.request('PUT', '/api/voicemail-boxes/bad box', {})).status).toBe(400);

    const flowId = await publish(admin, 'After hours', {
      name: 'After hours', language: 'en', start: 'vm',
      nodes: { vm: { type: 'voicemail', mailbox: 'sales', maxSeconds: 30, prompt: { tts: { en: 'Please leave a message' } } } },
    });
    const caller = fake.placeIvrCall({ callerNumber: '13700000003', did: '95003', flowId });
    await waitFor(() => appsOn(fake, caller).some((e) => e.app === 'record'));
    const record = appsOn(fake, caller).find((e) => e.app === 'record')!;
    const file = path.join(dataDir, 'freeswitch', 'recordings', 'voicemail', 'sales', `${caller}.wav`);
    expect(record.arg).toBe(`${file} 30 200 5`);
    expect(fake.commands).toContain(`uuid_setvar ${caller} cc_voicemail_box sales`);
    // The flow ends after the recording: the runtime hangs up; the hangup event registers the message.
    await waitFor(() => !fake.channels.has(caller));
    const [row] = await waitFor(async () => {
      const rows = await center.sql`select * from voicemails where call_uuid = ${caller}`;
      return rows.length ? rows : null;
    });
    expect(row).toMatchObject({ mailbox: 'sales', caller_number: '13700000003', file_path: file, duration_ms: 1000, status: 'new' });
    expect(fs.existsSync(file)).toBe(true);
    await waitFor(() => hooks.length === 1);
    expect(hooks[0]).toMatchObject({ event: 'voicemail.new', mailbox: 'sales', callerNumber: '13700000003', durationMs: 1000 });
    await waitFor(() => mails.length === 1);
    expect(mails[0]).toMatch(/^To: sales-team@example\.test/m);
    expect(mails[0]).toContain('Caller: 13700000003');
    await waitFor(async () => (await center.sql`select notified_at from voicemails where id = ${row!.id}`)[0]?.notified_at !== null);
    expect((await center.sql`select notify_error from voicemails where id = ${row!.id}`)[0]!.notify_error).toBeNull();

    await admin.request('POST', '/api/agents', { login: 'he', displayName: '何', extension: '3202', password: 'agent-pass-1' });
    const agent = new ApiClient(center.url);
    await agent.login('he', 'agent-pass-1');
    const list = await agent.request('GET', '/api/voicemails?mailbox=sales');
    expect(list.body).toHaveLength(1);
    const audio = await fetch(`${center.url}/api/voicemails/${row!.id}/audio`, { headers: { cookie: agent.cookie } });
    expect(audio.status).toBe(200);
    expect(Buffer.from(await audio.arrayBuffer()).subarray(0, 4).toString('ascii')).toBe('RIFF');
    expect((await agent.request('POST', `/api/voicemails/${row!.id}/status`, { status: 'heard' })).body).toMatchObject({ status: 'heard' });
    const audits = await center.sql`select action from audit_log where target = ${row!.id} order by id`;
    expect(audits.map((a) => a.action)).toEqual(['voicemail.play', 'voicemail.status']);
    expect((await new ApiClient(center.url).request('GET', '/api/voicemails')).status).toBe(401);
  });

  it('records from the IVR answer when the policy says system_answer: one file for the IVR part and the agent part', async () => {
    const { fake, center, admin } = await setUp();
    const settings = await admin.request('PUT', '/api/recording-policies/settings', { defaultMode: 'all', defaultStartAt: 'system_answer', defaultRetentionDays: 180 });
    expect(settings.status, JSON.stringify(settings.body)).toBe(200);
    const q = await admin.request('POST', '/api/queues', { name: 'Recorded', inboundNumber: null });
    const agent = await admin.request('POST', '/api/agents', { login: 'rec', displayName: 'Rec', extension: '3204', password: 'agent-pass-1' });
    await admin.request('PUT', `/api/queues/${q.body.id}/agents`, { agentIds: [agent.body.id] });
    const flowId = await publish(admin, 'Recorded line', {
      name: 'Recorded line', language: 'en', start: 'hello',
      nodes: { hello: { type: 'play', prompt: { tone: 'tone_stream://%(200,0,500)' }, next: 'queue' }, queue: { type: 'queue', queueId: q.body.id } },
    });
    const agentApi = new ApiClient(center.url);
    await agentApi.login('rec', 'agent-pass-1');
    const ws = await WsSession.open(center.url, agentApi.cookie);
    cleanups.push(() => ws.close());
    await ws.next('agent.state', (m) => m.status === 'not_ready');
    ws.send({ type: 'agent.set_state', status: 'ready' });
    fake.setAgentBehaviour('3204', { kind: 'answer', afterMs: 10 });

    const caller = fake.placeIvrCall({ callerNumber: '13700000007', did: '95007', flowId });
    // The recording starts at the IVR's answer, before the first prompt's end…
    await waitFor(() => fake.commands.some((c) => c.startsWith(`uuid_record ${caller} start `)));
    await ws.next('call.connected', (m) => m.callId === caller);
    await new Promise((r) => setTimeout(r, 300));
    fake.hangup(caller);
    // …and the agent's answer does not start a second one.
    const rows = await waitFor(async () => {
      const r = await center.sql`select status, channels from recordings where call_id = ${caller}`;
      return r.length && r.every((x) => x.status === 'stored') ? r : null;
    });
    expect(rows).toHaveLength(1);
    expect(fake.commands.filter((c) => c.startsWith(`uuid_record ${caller} start`))).toHaveLength(1);
  });

  it('restarts the flow of a caller parked in the IVR when the orchestrator restarts', async () => {
    const fake = new FakeFreeswitch();
    const eslPort = await fake.listen();
    const databaseUrl = await createTestDatabase();
    let center = await startCenter({ databaseUrl, eslPort });
    cleanups.push(() => fake.close());
    await waitFor(() => center.esl.isConnected);
    const admin = new ApiClient(center.url);
    await admin.login(ADMIN.login, ADMIN.password);
    const flowId = await publish(admin, 'Restart line', {
      name: 'Restart line', language: 'en', start: 'menu',
      nodes: { menu: { type: 'menu', prompt: { tts: { en: 'Press 1' } }, choices: { '1': 'bye' }, timeoutSec: 30, onFail: 'bye' }, bye: { type: 'hangup' } },
    });
    const caller = fake.placeIvrCall({ callerNumber: '13700000006', did: '95006', flowId });
    await waitFor(() => appsOn(fake, caller).length === 1);
    await center.stop();
    fake.channels.get(caller)!.application = 'park'; // what FreeSWITCH shows once the menu was interrupted
    center = await startCenter({ databaseUrl, eslPort });
    cleanups.push(() => center.stop());
    await waitFor(() => appsOn(fake, caller).length === 2, 5000, 'the menu starts again');
    expect(appsOn(fake, caller)[1]!.arg).toContain('say:Press 1');
    fake.pressKeys(caller, '1');
    await waitFor(() => fake.hangups.has(caller));
  });

  it('speaks Mandarin text prompts with espeak-ng into cached WAV files, and says amounts in Chinese (智能报读)', async () => {
    const { fake, admin, dataDir } = await setUp();
    const flowId = await publish(admin, '中文菜单', {
      name: '中文菜单', language: 'zh-CN', start: 'hello',
      variables: { amount: '1234.5' },
      nodes: {
        hello: { type: 'play', prompt: { tts: { 'zh-CN': '您好，欢迎致电。' } }, next: 'balance' },
        balance: { type: 'say', what: 'currency', value: '${amount}', next: 'bye' },
        bye: { type: 'hangup' },
      },
    });
    const calls = [fake.placeIvrCall({ callerNumber: '13700000008', did: '95008', flowId }), fake.placeIvrCall({ callerNumber: '13700000009', did: '95008', flowId })];
    for (const c of calls) await waitFor(() => fake.hangups.has(c), 15_000, 'the flow ends');
    const [greeting, amount] = appsOn(fake, calls[0]!);
    expect(greeting!.app).toBe('playback');
    expect(greeting!.arg.startsWith(path.join(dataDir, 'prompts') + '/')).toBe(true);
    // The same text is synthesised once (cached by its hash): the second caller plays the same file.
    expect(appsOn(fake, calls[1]!)[0]!.arg).toBe(greeting!.arg);
    expect(execFileSync('soxi', ['-r', greeting!.arg]).toString().trim()).toBe('8000');
    // 智能报读 reaches the caller as speech: a file (barge-in allowed), not digits read one by one.
    expect(amount!.app).toBe('play_and_get_digits');
    expect(splitArgs(amount!.arg)[5]).toMatch(new RegExp(`^${path.join(dataDir, 'prompts')}/[0-9a-f]{32}\\.wav$`));
  });

  it('converts uploaded WAV and MP3 prompts to 8 kHz mono WAV that a flow plays', async () => {
    const { fake, admin, dataDir } = await setUp();
    const upload = async (name: string, file: Buffer, type = 'application/octet-stream') => {
      const res = await fetch(`${admin.baseUrl}/api/ivr/prompts?name=${name}&filename=${name}.bin`, { method: 'POST', headers: { cookie: admin.cookie, 'content-type': type }, body: new Uint8Array(file) });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const wav = path.join(dataDir, 'in.wav');
    const mp3 = path.join(dataDir, 'in.mp3');
    execFileSync('sox', ['-n', '-r', '44100', '-c', '2', '-b', '16', wav, 'synth', '1.5', 'sine', '440']);
    execFileSync('sox', ['-n', '-r', '22050', '-c', '1', mp3, 'synth', '2', 'sine', '660']);
    const a = await upload('welcome', fs.readFileSync(wav), 'audio/wav');
    expect(a.status, JSON.stringify(a.body)).toBe(201);
    expect(Number(a.body.durationMs)).toBeGreaterThanOrEqual(1450);
    expect(Number(a.body.durationMs)).toBeLessThanOrEqual(1550);
    const info = execFileSync('soxi', [String(a.body.filePath)]).toString();
    expect(info).toMatch(/Channels\s*:\s*1/);
    expect(info).toMatch(/Sample Rate\s*:\s*8000/);
    const b = await upload('holiday', fs.readFileSync(mp3), 'audio/mpeg');
    expect(b.status, JSON.stringify(b.body)).toBe(201);
    expect(Math.abs(Number(b.body.durationMs) - 2000)).toBeLessThan(150);
    expect(await upload('junk', Buffer.from('this is not audio at all'))).toMatchObject({ status: 400, body: { error: { code: 'invalid_prompt', message: 'not a WAV or MP3 file' } } });
    expect((await upload('bad name', fs.readFileSync(wav))).status).toBe(400);
    expect((await admin.request('GET', '/api/ivr/prompts')).body.map((p: { name: string }) => p.name)).toEqual(['holiday', 'welcome']);

    // A flow plays the converted file.
    const flowId = await publish(admin, 'Uploaded prompt', {
      name: 'Uploaded prompt', language: 'zh-CN', start: 'hello',
      nodes: { hello: { type: 'play', prompt: { file: a.body.filePath }, next: 'bye' }, bye: { type: 'hangup' } },
    });
    const caller = fake.placeIvrCall({ callerNumber: '13700000005', did: '95005', flowId });
    await waitFor(() => appsOn(fake, caller).length > 0);
    expect(appsOn(fake, caller)[0]).toMatchObject({ app: 'playback', arg: a.body.filePath });
    await waitFor(() => fake.hangups.has(caller));
  });

  it('keeps the caller after the agent hangs up for the survey, and stores the score with the CDR', async () => {
    const { fake, center, admin } = await setUp();
    const q = await admin.request('POST', '/api/queues', { name: 'Care', inboundNumber: null });
    const agent = await admin.request('POST', '/api/agents', { login: 'xu', displayName: '徐', extension: '3203', password: 'agent-pass-1' });
    await admin.request('PUT', `/api/queues/${q.body.id}/agents`, { agentIds: [agent.body.id] });
    const flowId = await publish(admin, 'Care line', {
      name: 'Care line', language: 'en', start: 'queue',
      nodes: {
        queue: { type: 'queue', queueId: q.body.id, afterCall: 'survey' },
        survey: { type: 'survey', prompt: { tts: { en: 'Rate us from 1 to 5' } }, variable: 'score', next: 'bye' },
        bye: { type: 'hangup' },
      },
    });
    const agentApi = new ApiClient(center.url);
    await agentApi.login('xu', 'agent-pass-1');
    const ws = await WsSession.open(center.url, agentApi.cookie);
    cleanups.push(() => ws.close());
    await ws.next('agent.state', (m) => m.status === 'not_ready');
    ws.send({ type: 'agent.set_state', status: 'ready' });
    fake.setAgentBehaviour('3203', { kind: 'answer', afterMs: 10 });

    const caller = fake.placeIvrCall({ callerNumber: '13700000004', did: '95004', flowId });
    await ws.next('call.connected', (m) => m.callId === caller);
    expect(fake.commands).toContain(`uuid_setvar ${caller} cc_after_call true`);
    const agentLeg = center.tracker.call(caller)!.agentLegUuid!;
    await new Promise((r) => setTimeout(r, 1100));
    fake.hangup(agentLeg);
    // The caller stays and hears the survey; the agent is free again (wrap-up/ready), the talk time ends here.
    await waitFor(() => appsOn(fake, caller).some((e) => e.arg.includes('Rate us from 1 to 5')));
    expect(fake.channels.has(caller)).toBe(true);
    await ws.next('agent.state', (m) => m.status !== 'on_call');
    fake.pressKeys(caller, '4');
    await waitFor(() => !fake.channels.has(caller));
    const cdr = await waitFor(async () => (await center.sql`select survey_score, talk_seconds, outcome, ivr_flow_id from cdrs where id = ${caller}`).find((r) => r.survey_score !== null && r.outcome !== 'live'));
    expect(cdr).toMatchObject({ survey_score: 4, outcome: 'answered', ivr_flow_id: flowId });
    expect(Number(cdr.talk_seconds)).toBeGreaterThan(1);
    expect(Number(cdr.talk_seconds)).toBeLessThan(3);
  });
});
