import { expect, test, type Page } from '@playwright/test';
import postgres from 'postgres';
import fs from 'node:fs';
import path from 'node:path';
import { ADMIN, api, freePort, freeswitchBin, loginCookie, start, startPlatform, stopPid, type Platform, type Spawned } from '../support/platform.ts';
import { openAgent, sippCall } from '../support/agent.ts';
import { dtmfCallerScenario } from '../support/sipp/dtmf-caller.ts';

/**
 * Tier 2, IVR on real FreeSWITCH: numbers routed to flows through mod_xml_curl,
 * prompts spoken by mod_flite, keys sent by sipp as RFC 2833 events, the flow
 * run by the orchestrator over the Event Socket, the agent's screen pop in
 * Chromium, and voicemail recorded by FreeSWITCH.
 */
test.describe.serial('tier 2: IVR on real FreeSWITCH', () => {
  test.skip(!freeswitchBin(), 'tier 2 skipped: FreeSWITCH not found');
  let platform: Platform;
  let admin: string;
  let sql: postgres.Sql;
  const procs: Spawned[] = [];
  let agent: Page;
  let queueId = '';
  let menuFlowId = '';

  const publishFlow = async (name: string, definition: object) => {
    const flow = await api(platform.baseUrl, admin, 'POST', '/api/ivr/flows', { name, definition });
    await api(platform.baseUrl, admin, 'POST', `/api/ivr/flows/${flow.id}/publish`);
    return flow.id as string;
  };
  const routeNumber = (number: string, flowId: string) =>
    api(platform.baseUrl, admin, 'POST', '/api/dialplan/inbound-numbers', { number, target: { kind: 'ivr', flowId } });

  test.beforeAll(async ({ browser }) => {
    platform = await startPlatform({ freeswitch: 'real' });
    sql = postgres(platform.pgUrl, { max: 2 });
    admin = await loginCookie(platform.baseUrl, ADMIN.login, ADMIN.password);
    const q = await api(platform.baseUrl, admin, 'POST', '/api/queues', { name: 'Billing', inboundNumber: null });
    queueId = q.id;
    const a = await api(platform.baseUrl, admin, 'POST', '/api/agents', { login: 'ivr-agent', displayName: 'IVR Agent', extension: '1201', password: 'agent-password-1' });
    await api(platform.baseUrl, admin, 'PUT', `/api/queues/${queueId}/agents`, { agentIds: [a.id] });
    menuFlowId = await publishFlow('Billing menu', {
      name: 'Billing menu',
      language: 'en',
      start: 'menu',
      nodes: {
        menu: { type: 'menu', prompt: { tts: { en: 'For billing, press 1.' } }, choices: { '1': 'account' }, timeoutSec: 8, maxRetries: 1, onFail: 'bye' },
        account: { type: 'collect', prompt: { tts: { en: 'Please enter your account number, then press hash.' } }, variable: 'account', minLength: 6, maxLength: 10, terminator: '#', timeoutSec: 8, next: 'queue', onFail: 'bye' },
        queue: { type: 'queue', queueId, priority: 10 },
        bye: { type: 'hangup' },
      },
    });
    await routeNumber('95100', menuFlowId);
    agent = await openAgent(browser, platform.baseUrl, 'ivr-agent', 'agent-password-1');
  });
  test.afterAll(async () => {
    for (const p of procs) await stopPid(p.child.pid, 2000);
    await sql?.end();
    await platform?.stop();
  });

  test('a caller walks the menu with RFC 2833 keys, enters an account number and reaches the agent, whose screen pop shows it', async () => {
    await agent.getByTestId('btn-ready').click();
    await expect(agent.getByTestId('agent-status')).toHaveAttribute('data-state', 'ready');
    const scenario = dtmfCallerScenario({
      dir: platform.dataDir, name: 'ivr-caller', callerNumber: '13900003333', firstPauseMs: 2500,
      keys: [{ digits: '1', pauseAfterMs: 2500 }, { digits: '31415926#', pauseAfterMs: 500 }],
    });
    const started = Date.now();
    const caller = start('sipp', [
      `127.0.0.1:${platform.ports.trunkSip}`, '-sf', scenario, '-s', '95100', '-m', '1',
      '-i', '127.0.0.1', '-p', String(await freePort()), '-mp', String(32000 + 2 * Math.floor(Math.random() * 1000)), '-nostdin', '-timeout', '90s', '-timeout_error',
    ], {}, path.join(platform.dataDir, 'sipp-ivr-caller.log'));
    procs.push(caller);

    await expect(agent.getByTestId('caller-number')).toHaveText('13900003333', { timeout: 30_000 });
    const offeredAfterMs = Date.now() - started;
    await expect(agent.getByTestId('ivr-data')).toBeVisible();
    await expect(agent.locator('[data-testid="ivr-data-row"][data-key="account"]')).toContainText('31415926');
    await expect(agent.getByTestId('btn-answer')).toBeEnabled({ timeout: 15_000 });
    await agent.getByTestId('btn-answer').click();
    await expect(agent.getByTestId('agent-status')).toHaveAttribute('data-state', 'on_call');
    await agent.waitForTimeout(1500);
    await agent.getByTestId('btn-hangup').click();
    await expect.poll(() => caller.child.exitCode, { timeout: 15_000 }).toBe(0);

    const [run] = await sql`select outcome, path, variables from ivr_runs where flow_id = ${menuFlowId}`;
    expect(run).toMatchObject({ outcome: 'queue', path: ['menu', 'account', 'queue'] });
    expect(run!.variables).toMatchObject({ account: '31415926' });
    const [cdr] = await sql`select outcome, queue_id, caller_number, called_number from cdrs where caller_number = '13900003333'`;
    expect(cdr).toMatchObject({ outcome: 'answered', queue_id: queueId, called_number: '95100' });
    const stats = await api(platform.baseUrl, admin, 'GET', `/api/ivr/flows/${menuFlowId}/statistics`);
    expect(stats.nodes.menu.exits).toEqual({ 'choice:1': 1 });
    expect(stats.nodes.account.exits).toEqual({ next: 1 });
    console.log(`tier 2 IVR: menu key and account number sent by sipp (RFC 2833) reached the agent's screen pop ${(offeredAfterMs / 1000).toFixed(1)} s after dialing; path ${run!.path.join(' → ')}`);
  });

  test('survey: the caller stays after the agent hangs up, answers with a key, and the score lands on the CDR', async () => {
    const flowId = await publishFlow('Care with survey', {
      name: 'Care with survey', language: 'en', start: 'queue',
      nodes: {
        queue: { type: 'queue', queueId, afterCall: 'survey' },
        survey: { type: 'survey', prompt: { tts: { en: 'Please rate our service from 1 to 5.' } }, variable: 'score', timeoutSec: 20, next: 'thanks' },
        thanks: { type: 'play', prompt: { tone: 'tone_stream://%(1500,0,660)' }, next: 'bye' },
        bye: { type: 'hangup' },
      },
    });
    await routeNumber('95300', flowId);
    await agent.getByTestId('btn-ready').click();
    await expect(agent.getByTestId('agent-status')).toHaveAttribute('data-state', /ready/);
    const scenario = dtmfCallerScenario({ dir: platform.dataDir, name: 'survey-caller', callerNumber: '13900004444', firstPauseMs: 12_000, keys: [{ digits: '4', pauseAfterMs: 0 }] });
    const caller = start('sipp', [
      `127.0.0.1:${platform.ports.trunkSip}`, '-sf', scenario, '-s', '95300', '-m', '1',
      '-i', '127.0.0.1', '-p', String(await freePort()), '-mp', String(32000 + 2 * Math.floor(Math.random() * 1000)), '-nostdin', '-timeout', '90s', '-timeout_error',
    ], {}, path.join(platform.dataDir, 'sipp-survey-caller.log'));
    procs.push(caller);
    await expect(agent.getByTestId('caller-number')).toHaveText('13900004444', { timeout: 30_000 });
    await expect(agent.getByTestId('btn-answer')).toBeEnabled({ timeout: 15_000 });
    await agent.getByTestId('btn-answer').click();
    await expect(agent.getByTestId('agent-status')).toHaveAttribute('data-state', 'on_call');
    await agent.waitForTimeout(2000);
    await agent.getByTestId('btn-hangup').click();
    // The agent is free; the caller is still up, hearing the survey.
    await expect(agent.getByTestId('agent-status')).not.toHaveAttribute('data-state', 'on_call', { timeout: 10_000 });
    expect(caller.child.exitCode).toBeNull();
    await expect.poll(() => caller.child.exitCode, { timeout: 40_000 }).toBe(0);
    const [cdr] = await sql`select survey_score, talk_seconds, outcome from cdrs where caller_number = '13900004444'`;
    expect(cdr).toMatchObject({ survey_score: 4, outcome: 'answered' });
    const [run] = await sql`select outcome, path from ivr_runs where flow_id = ${flowId}`;
    expect(run).toMatchObject({ outcome: 'hangup', path: ['queue', 'survey', 'thanks', 'bye'] });
    console.log(`tier 2 survey: score ${cdr!.survey_score} stored with the CDR; talk ${Number(cdr!.talk_seconds).toFixed(1)} s (ends when the agent hung up)`);
  });

  test('voicemail: FreeSWITCH records the message into the mailbox folder and the orchestrator stores the row', async () => {
    const flowId = await publishFlow('After hours', {
      name: 'After hours', language: 'en', start: 'vm',
      nodes: { vm: { type: 'voicemail', mailbox: 'billing', maxSeconds: 20, prompt: { tts: { en: 'Please leave a message after the tone.' } } } },
    });
    await routeNumber('95200', flowId);
    const caller = await sippCall({ trunkPort: platform.ports.trunkSip, number: '95200', holdMs: 7000, logDir: platform.dataDir, name: 'voicemail' });
    procs.push(caller);
    await expect.poll(async () => (await sql`select count(*)::int as n from voicemails where mailbox = 'billing'`)[0]!.n, { timeout: 30_000 }).toBe(1);
    const [vm] = await sql`select * from voicemails where mailbox = 'billing'`;
    expect(vm!.file_path).toBe(path.join(platform.dataDir, 'freeswitch', 'recordings', 'voicemail', 'billing', `${vm!.call_uuid}.wav`));
    const size = fs.statSync(vm!.file_path).size;
    expect(fs.readFileSync(vm!.file_path).subarray(0, 4).toString('ascii')).toBe('RIFF');
    expect(vm!.duration_ms).toBeGreaterThan(500);
    console.log(`tier 2 voicemail: ${vm!.file_path.split('/').slice(-3).join('/')} ${size} bytes, ${vm!.duration_ms} ms recorded, row status ${vm!.status}`);
  });
});
