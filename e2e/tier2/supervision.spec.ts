import { chromium, expect, test, type Browser, type Page } from '@playwright/test';
import postgres from 'postgres';
import fs from 'node:fs';
import path from 'node:path';
import { ADMIN, REPO, api, freePort, freeswitchBin, loginCookie, start, startPlatform, stopPid, type Platform, type Spawned } from '../support/platform.ts';
import { openAgent } from '../support/agent.ts';
import { CHROMIUM_ARGS } from '../support/browser.ts';
import { browserBandLevels, readWav, toneLevelDb, writeTonePcap, writeToneWav } from '../support/audio.ts';
import { connectEslTap, type EslTap } from '../bench/esl-tap.ts';

/**
 * Tier 2, the supervisor's seat with every part real: a sipp customer (playing
 * a 1200 Hz tone from a pcap) reaches the queue; the agent (headless Chromium,
 * fake microphone playing 700 Hz) answers; the supervisor (another Chromium,
 * fake microphone playing 1800 Hz) monitors the call from the seat with their
 * own WebRTC leg, switching listen → whisper → barge on that one leg, then
 * force-hangs up. Who hears whom is measured by frequency: in the agent's and
 * the supervisor's browsers (Web Audio analyser on the received track) and on
 * the customer's channel (FreeSWITCH records what it sends to the customer).
 */
const TONES = { customer: 1200, agent: 700, supervisor: 1800 } as const;
const FREQS = [TONES.agent, TONES.customer, TONES.supervisor];
/** A tone counts as heard this far above the same band when that party is silent for the listener. */
const HEARD_DB = 20;

interface Phase {
  agent: number[];
  supervisor: number[];
  customer: number[];
  supervisorPackets: number;
}

test.describe.serial('tier 2: supervisor seat on real FreeSWITCH', () => {
  test.skip(!freeswitchBin(), 'tier 2 skipped: FreeSWITCH not found');
  let platform: Platform;
  let sql: postgres.Sql;
  let admin: string;
  let agentBrowser: Browser;
  let supervisorBrowser: Browser;
  let tap: EslTap;
  let sipp: Spawned | null = null;
  let agentId = '';
  let scenario = '';
  let recordings = '';
  let agent: Page;
  let supervisor: Page;
  const dialCustomer = async (name: string) =>
    start('sipp', [
      `127.0.0.1:${platform.ports.trunkSip}`, '-sf', scenario, '-s', '4000', '-m', '1', '-i', '127.0.0.1',
      '-p', String(await freePort()), '-mp', String(30000 + 2 * Math.floor(Math.random() * 4000)), '-nostdin', '-timeout', '150s',
    ], {}, path.join(platform.dataDir, `sipp-${name}.log`));

  const launch = (wav: string) =>
    chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: [...CHROMIUM_ARGS, '--autoplay-policy=no-user-gesture-required', `--use-file-for-fake-audio-capture=${wav}`],
    });

  test.beforeAll(async () => {
    platform = await startPlatform({ freeswitch: 'real' });
    sql = postgres(platform.pgUrl, { max: 2 });
    admin = await loginCookie(platform.baseUrl, ADMIN.login, ADMIN.password);
    const agent = await api(platform.baseUrl, admin, 'POST', '/api/agents', { login: 'li.na', displayName: '李娜', extension: '1001', password: 'agent-password-1' });
    agentId = agent.id;
    const queue = await api(platform.baseUrl, admin, 'POST', '/api/queues', { name: 'Hotline', inboundNumber: '4000', ringTimeoutSec: 30 });
    await api(platform.baseUrl, admin, 'PUT', `/api/queues/${queue.id}/agents`, { agentIds: [agent.id] });
    await api(platform.baseUrl, admin, 'POST', '/api/users', { login: 'banzhang', displayName: '王班长', password: 'supervisor-pass-1', role: 'supervisor' });

    const media = path.join(platform.dataDir, 'supervision-media');
    recordings = path.join(media, 'recordings');
    fs.mkdirSync(recordings, { recursive: true });
    writeToneWav(path.join(media, 'agent.wav'), { frequencyHz: TONES.agent, seconds: 10, amplitude: 0.3 });
    writeToneWav(path.join(media, 'supervisor.wav'), { frequencyHz: TONES.supervisor, seconds: 10, amplitude: 0.3 });
    writeTonePcap(path.join(media, 'customer.pcap'), { frequencyHz: TONES.customer, seconds: 90, amplitude: 0.3 });
    scenario = path.join(media, 'customer-plays-audio.xml');
    fs.writeFileSync(scenario, fs.readFileSync(path.join(REPO, 'e2e/support/sipp/customer-plays-audio.xml'), 'utf8').replace(/__PCAP__/g, path.join(media, 'customer.pcap')));
    agentBrowser = await launch(path.join(media, 'agent.wav'));
    supervisorBrowser = await launch(path.join(media, 'supervisor.wav'));
    tap = await connectEslTap({ port: platform.ports.esl, password: 'ClueCon' });
  });

  test.afterAll(async () => {
    await stopPid(sipp?.child.pid, 2000);
    tap?.close();
    await agentBrowser?.close();
    await supervisorBrowser?.close();
    await sql?.end();
    await platform?.stop();
  });

  test('listen, whisper, barge on one WebRTC leg, then force hangup; measured by ear; audited', async () => {
    agent = await openAgent(agentBrowser, platform.baseUrl, 'li.na', 'agent-password-1');
    await agent.getByTestId('btn-ready').click();
    await expect(agent.getByTestId('agent-status')).toHaveAttribute('data-state', 'ready');

    supervisor = await (await supervisorBrowser.newContext()).newPage();
    await supervisor.goto(platform.baseUrl);
    await supervisor.getByTestId('login-input').fill('banzhang');
    await supervisor.getByTestId('password-input').fill('supervisor-pass-1');
    await supervisor.getByTestId('login-submit').click();
    await supervisor.getByTestId('tab-supervision').click();
    await expect(supervisor.getByTestId('seat-sip-status')).toHaveAttribute('data-state', 'registered', { timeout: 20_000 });

    sipp = await dialCustomer('customer');

    await expect(agent.getByTestId('btn-answer')).toBeEnabled({ timeout: 20_000 });
    const callId = (await agent.getByTestId('call-card').getAttribute('data-call-id'))!;
    await agent.getByTestId('btn-answer').click();
    await expect(agent.getByTestId('call-state')).toHaveAttribute('data-state', 'connected');
    const agentLegOf = async () => (await sql`select agent_leg_uuid from cdrs where id = ${callId}`)[0]?.agent_leg_uuid as string | null;
    await expect.poll(agentLegOf, { timeout: 10_000 }).not.toBeNull();
    const agentLeg = (await agentLegOf())!;

    /** One measurement window: what the agent, the supervisor and the customer hear, by tone. */
    const customerRecording = path.join(recordings, 'customer');
    await tap.api(`uuid_setvar ${callId} RECORD_WRITE_ONLY true`);
    const measure = async (name: string, withSupervisor: boolean): Promise<Phase> => {
      const file = `${customerRecording}-${name}.wav`;
      expect(await tap.api(`uuid_record ${callId} start ${file}`)).toMatch(/^\+OK/);
      const [agentBands, supervisorBands] = await Promise.all([
        browserBandLevels(agent, 'window.__softphone.session.connection', FREQS, 3),
        withSupervisor ? browserBandLevels(supervisor, 'window.__supervisor.peerConnection', FREQS, 3) : Promise.resolve([]),
      ]);
      await tap.api(`uuid_record ${callId} stop ${file}`);
      await expect.poll(() => fs.existsSync(file) && fs.statSync(file).size > 8000, { timeout: 5000 }).toBe(true);
      const wav = readWav(file);
      const stats = withSupervisor ? await supervisor.evaluate(() => (window as any).__supervisor.inboundAudioStats()) : null;
      return { agent: agentBands, supervisor: supervisorBands, customer: FREQS.map((f) => toneLevelDb(wav.samples, wav.rate, f)), supervisorPackets: stats?.packetsReceived ?? 0 };
    };
    const show = (p: Phase) =>
      `agent hears ${p.agent.map((d) => d.toFixed(0)).join('/')} dB, supervisor hears ${p.supervisor.map((d) => d.toFixed(0)).join('/') || '-'} dB, customer hears ${p.customer.map((d) => d.toFixed(0)).join('/')} dBFS`;

    const before = await measure('before', false);

    // Listen (监听): the seat dials the supervisor's own WebRTC leg into an eavesdrop on the agent leg.
    const row = supervisor.getByTestId(`seat-agent-${agentId}`);
    await expect(row).toHaveAttribute('data-call-id', callId, { timeout: 10_000 });
    await supervisor.getByTestId(`seat-listen-${agentId}`).click();
    const monitor = supervisor.getByTestId('seat-monitor');
    await expect(monitor).toHaveAttribute('data-mode', 'listen', { timeout: 20_000 });
    await expect(monitor).toHaveAttribute('data-media', 'true', { timeout: 10_000 });
    const leg = await supervisor.evaluate(() => (window as any).__supervisor.monitoring!.legUuid);
    expect((await tap.api(`uuid_getvar ${leg} cc_call_id`)).trim()).toBe(callId);
    await supervisor.waitForTimeout(1000);
    const listen = await measure('listen', true);

    // Whisper (密语) and barge-in (强插): the same leg, switched by the seat's mode buttons.
    await supervisor.getByTestId('seat-mode-whisper').click();
    await expect(monitor).toHaveAttribute('data-mode', 'whisper');
    await supervisor.waitForTimeout(800);
    const whisper = await measure('whisper', true);
    await supervisor.getByTestId('seat-mode-barge').click();
    await expect(monitor).toHaveAttribute('data-mode', 'barge');
    await supervisor.waitForTimeout(800);
    const barge = await measure('barge', true);
    expect(await supervisor.evaluate(() => (window as any).__supervisor.monitoring!.legUuid)).toBe(leg);
    const supervisorLegs = await sql`select count(*)::int as n from audit_log where action like 'supervision.%' and details->>'legUuid' is not null and details->>'legUuid' <> ${leg}`;
    expect(supervisorLegs[0]!.n).toBe(0);

    console.log(`tier 2 supervision (tones: agent ${TONES.agent} Hz / customer ${TONES.customer} Hz / supervisor ${TONES.supervisor} Hz):`);
    for (const [name, p] of [['before', before], ['listen', listen], ['whisper', whisper], ['barge', barge]] as const) console.log(`  ${name.padEnd(7)} ${show(p)}`);
    console.log(`  supervisor leg ${leg}: ${barge.supervisorPackets} RTP packets received by the supervisor's browser`);

    const [A, C, S] = [0, 1, 2];
    // Without monitoring, the agent hears the customer and nothing at the supervisor's tone; the customer hears the agent.
    expect(before.agent[C]! - before.agent[S]!).toBeGreaterThan(HEARD_DB);
    expect(before.customer[A]! - before.customer[S]!).toBeGreaterThan(HEARD_DB);
    // The supervisor hears the agent and the customer in every mode (and not their own voice).
    for (const p of [listen, whisper, barge]) {
      expect(p.supervisor[A]! - p.supervisor[S]!).toBeGreaterThan(HEARD_DB);
      expect(p.supervisor[C]! - p.supervisor[S]!).toBeGreaterThan(HEARD_DB);
    }
    expect(barge.supervisorPackets).toBeGreaterThan(300);
    // Listen: nobody hears the supervisor — their tone stays at least 20 dB below where it is heard (whisper for the
    // agent, barge for the customer), and what the agent hears of the customer does not change.
    expect(whisper.agent[S]! - listen.agent[S]!).toBeGreaterThan(HEARD_DB);
    expect(barge.customer[S]! - listen.customer[S]!).toBeGreaterThan(HEARD_DB);
    expect(Math.abs(listen.agent[C]! - before.agent[C]!)).toBeLessThan(6);
    // Whisper: only the agent's inbound audio changes (the customer's stays as in listen).
    expect(barge.customer[S]! - whisper.customer[S]!).toBeGreaterThan(HEARD_DB);
    // Barge: both hear the supervisor.
    expect(barge.agent[S]! - listen.agent[S]!).toBeGreaterThan(HEARD_DB);
    expect(barge.customer[S]! - before.customer[S]!).toBeGreaterThan(HEARD_DB);
    // The agent and customer still hear each other throughout.
    for (const p of [listen, whisper, barge]) {
      expect(p.agent[C]! - before.agent[S]!).toBeGreaterThan(HEARD_DB);
      expect(p.customer[A]! - before.customer[S]!).toBeGreaterThan(HEARD_DB);
    }

    // Force hangup (强拆): the call ends for everybody; the CDR keeps the cause.
    await supervisor.getByTestId('seat-hangup').click();
    await expect(agent.getByTestId('call-state')).toHaveAttribute('data-state', 'ended', { timeout: 15_000 });
    await expect(monitor).toHaveCount(0, { timeout: 15_000 });
    await expect.poll(async () => (await sql`select hangup_cause from cdrs where id = ${callId}`)[0]?.hangup_cause, { timeout: 15_000 }).toBe('MANAGER_REQUEST');
    await expect.poll(() => sipp!.child.exitCode, { timeout: 15_000 }).toBe(0);
    const [cdr] = await sql`select outcome, talk_seconds from cdrs where id = ${callId}`;

    const audit = await sql<{ action: string; outcome: string; mode: string | null; actor: string }[]>`
      select a.action, a.details->>'outcome' as outcome, a.details->>'mode' as mode, u.login as actor
      from audit_log a join users u on u.id = a.actor_user_id where a.action like 'supervision.%' and a.target = ${callId} order by a.id`;
    console.log(`tier 2 supervision: CDR ${cdr!.outcome}, talk ${cdr!.talk_seconds}s, cause MANAGER_REQUEST; audit ${audit.map((r) => `${r.action}:${r.outcome}`).join(', ')}; agent leg ${agentLeg}`);
    expect(audit.map((r) => [r.action, r.outcome, r.mode, r.actor])).toEqual([
      ['supervision.listen', 'done', 'listen', 'banzhang'],
      ['supervision.whisper', 'done', 'whisper', 'banzhang'],
      ['supervision.barge', 'done', 'barge', 'banzhang'],
      ['supervision.hangup', 'done', null, 'banzhang'],
    ]);
  });

  test('intercept (代接): the supervisor takes the customer on the monitoring leg, the agent is released', async () => {
    await expect(agent.getByTestId('agent-status')).toHaveAttribute('data-state', 'ready', { timeout: 15_000 });
    const customer = await dialCustomer('intercept');
    try {
      await expect(agent.getByTestId('btn-answer')).toBeEnabled({ timeout: 20_000 });
      const callId = (await agent.getByTestId('call-card').getAttribute('data-call-id'))!;
      await agent.getByTestId('btn-answer').click();
      await expect(agent.getByTestId('call-state')).toHaveAttribute('data-state', 'connected');
      await expect(supervisor.getByTestId(`seat-agent-${agentId}`)).toHaveAttribute('data-call-id', callId, { timeout: 10_000 });
      await supervisor.getByTestId(`seat-listen-${agentId}`).click();
      const monitor = supervisor.getByTestId('seat-monitor');
      await expect(monitor).toHaveAttribute('data-media', 'true', { timeout: 20_000 });
      const leg = await supervisor.evaluate(() => (window as any).__supervisor.monitoring.legUuid as string);

      await supervisor.getByTestId('seat-intercept').click();
      await expect(monitor).toHaveAttribute('data-mode', 'intercepted', { timeout: 15_000 });
      // The agent's leg is released; the call goes on between the customer and the supervisor.
      await expect(agent.getByTestId('call-state')).toHaveAttribute('data-state', 'ended', { timeout: 15_000 });
      await expect(agent.getByTestId('agent-status')).not.toHaveAttribute('data-state', 'on_call', { timeout: 15_000 });
      expect((await tap.api(`uuid_getvar ${callId} bridge_uuid`)).trim()).toBe(leg);
      await supervisor.waitForTimeout(1000);
      const file = path.join(recordings, 'customer-intercepted.wav');
      await tap.api(`uuid_setvar ${callId} RECORD_WRITE_ONLY true`);
      await tap.api(`uuid_record ${callId} start ${file}`);
      const heard = await browserBandLevels(supervisor, 'window.__supervisor.peerConnection', FREQS, 3);
      await tap.api(`uuid_record ${callId} stop ${file}`);
      await expect.poll(() => fs.existsSync(file) && fs.statSync(file).size > 8000, { timeout: 5000 }).toBe(true);
      const wav = readWav(file);
      const customerHears = FREQS.map((f) => toneLevelDb(wav.samples, wav.rate, f));
      console.log(`tier 2 supervision intercept: supervisor hears ${heard.map((d) => d.toFixed(0)).join('/')} dB, customer hears ${customerHears.map((d) => d.toFixed(0)).join('/')} dBFS (agent/customer/supervisor tones)`);
      const [A, C, S] = [0, 1, 2];
      expect(heard[C]! - heard[A]!).toBeGreaterThan(HEARD_DB);
      expect(customerHears[S]! - customerHears[A]!).toBeGreaterThan(HEARD_DB);
      expect(customerHears[S]! - customerHears[C]!).toBeGreaterThan(HEARD_DB);

      // The supervisor hangs up: the customer is released and the call's CDR closes.
      await supervisor.getByTestId('seat-stop').click();
      await expect.poll(() => customer.child.exitCode, { timeout: 15_000 }).toBe(0);
      await expect.poll(async () => (await sql`select outcome from cdrs where id = ${callId}`)[0]?.outcome, { timeout: 15_000 }).toBe('answered');
      const [audit] = await sql`select details from audit_log where action = 'supervision.intercept' and target = ${callId}`;
      expect(audit!.details).toMatchObject({ outcome: 'done', legUuid: leg, reusedMonitoringLeg: true });
    } finally {
      await stopPid(customer.child.pid, 2000);
    }
  });
});
