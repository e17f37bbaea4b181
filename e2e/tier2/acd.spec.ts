import { expect, test, type Page } from '@playwright/test';
import postgres from 'postgres';
import fs from 'node:fs';
import path from 'node:path';
import { ADMIN, api, freePort, freeswitchBin, loginCookie, start, startPlatform, stopPid, type Platform, type Spawned } from '../support/platform.ts';
import { openAgent, sippCall } from '../support/agent.ts';

/**
 * Tier 2, ACD with every part real (FreeSWITCH, sipp callers, JsSIP agents in
 * Chromium): skills routing with no-answer rollover, abandonment, overflow to an
 * announcement, and an orchestrator crash with a caller waiting.
 */
test.describe.serial('tier 2: ACD on real FreeSWITCH', () => {
  test.skip(!freeswitchBin(), 'tier 2 skipped: FreeSWITCH not found');
  let platform: Platform;
  let admin: string;
  let sql: postgres.Sql;
  const callers: Spawned[] = [];
  const ids = {} as Record<'strong' | 'weak' | 'skills' | 'overflow' | 'announce' | 'callback', string>;
  let strong: Page;
  let weak: Page;

  const cdr = async (where: postgres.PendingQuery<postgres.Row[]>) => (await where)[0];
  const setReady = async (page: Page) => {
    await page.getByTestId('btn-ready').click();
    await expect(page.getByTestId('agent-status')).toHaveAttribute('data-state', /ready|reserved/);
  };
  const call = async (number: string, holdMs: number, name: string) => {
    const c = await sippCall({ trunkPort: platform.ports.trunkSip, number, holdMs, logDir: platform.dataDir, name });
    callers.push(c);
    return c;
  };

  let customerPort = 0;

  test.beforeAll(async ({ browser }) => {
    // Outside numbers (callbacks) are dialled through the trunk profile to a sipp "customer" phone.
    customerPort = await freePort();
    platform = await startPlatform({ freeswitch: 'real', env: { CC_EXTERNAL_DIAL_PREFIX: 'sofia/trunks/', CC_EXTERNAL_DIAL_SUFFIX: `@127.0.0.1:${customerPort}` } });
    sql = postgres(platform.pgUrl, { max: 2 });
    admin = await loginCookie(platform.baseUrl, ADMIN.login, ADMIN.password);
    for (const [login, ext, level] of [['strong', '1101', 9], ['weak', '1102', 2]] as const) {
      const a = await api(platform.baseUrl, admin, 'POST', '/api/agents', { login, displayName: login, extension: ext, password: 'agent-password-1' });
      await api(platform.baseUrl, admin, 'PUT', `/api/agents/${a.id}/skills`, { skills: [{ skill: 'mandarin', level }] });
      ids[login] = a.id as string;
    }
    const q = await api(platform.baseUrl, admin, 'POST', '/api/queues', {
      name: 'Skills', inboundNumber: '5100', strategy: 'skills_best_match', ringTimeoutSec: 5,
      skillRules: [{ afterWaitSec: 0, requirements: [{ skill: 'mandarin', minLevel: 1 }] }],
    });
    ids.skills = q.id;
    await api(platform.baseUrl, admin, 'PUT', `/api/queues/${q.id}/agents`, { agentIds: [ids.strong, ids.weak] });
    const o = await api(platform.baseUrl, admin, 'POST', '/api/queues', { name: 'Overflow', inboundNumber: '5200', maxWaitSec: 2, overflowAction: 'announcement' });
    ids.overflow = o.id;
    const a = await api(platform.baseUrl, admin, 'POST', '/api/queues', { name: 'Announce', inboundNumber: '5300', announceEverySec: 15 });
    ids.announce = a.id;
    const cb = await api(platform.baseUrl, admin, 'POST', '/api/queues', { name: 'Callback', inboundNumber: '5400', callbackEnabled: true, callbackDigit: '1' });
    ids.callback = cb.id;
    await api(platform.baseUrl, admin, 'PUT', `/api/queues/${cb.id}/agents`, { agentIds: [ids.strong] });
    strong = await openAgent(browser, platform.baseUrl, 'strong', 'agent-password-1');
    weak = await openAgent(browser, platform.baseUrl, 'weak', 'agent-password-1');
  });
  test.afterAll(async () => {
    for (const c of callers) await stopPid(c.child.pid, 2000);
    await sql?.end();
    await platform?.stop();
  });

  test('skills routing: the best match rings first; unanswered, the call rolls over and that agent goes not ready', async () => {
    await setReady(strong);
    await setReady(weak);
    await call('5100', 20_000, 'rollover');
    // The strong speaker rings first and does not answer within the 5 s ring timeout.
    await expect(strong.getByTestId('call-card')).toBeVisible({ timeout: 15_000 });
    const callId = await strong.getByTestId('call-card').getAttribute('data-call-id');
    await expect(strong.getByTestId('agent-status')).toHaveAttribute('data-state', 'not_ready', { timeout: 15_000 });
    // The call keeps its place and goes to the other agent, who answers.
    await expect(weak.getByTestId('call-card')).toHaveAttribute('data-call-id', callId!, { timeout: 15_000 });
    await expect(weak.getByTestId('btn-answer')).toBeEnabled({ timeout: 15_000 });
    await weak.getByTestId('btn-answer').click();
    await expect(weak.getByTestId('call-state')).toHaveAttribute('data-state', 'connected');
    await expect(weak.getByTestId('agent-status')).toHaveAttribute('data-state', 'on_call'); // bridged to the caller
    await weak.getByTestId('btn-hangup').click();
    await expect.poll(async () => (await cdr(sql`select outcome, agent_id from cdrs where id = ${callId}`))?.agent_id, { timeout: 15_000 }).toBe(ids.weak);
    const offers = await sql`select status, reason from agent_state_log where agent_id = ${ids.strong} order by id`;
    expect(offers.map((r) => r.status)).toEqual(expect.arrayContaining(['reserved', 'not_ready']));
    expect(offers.at(-1)).toMatchObject({ status: 'not_ready', reason: 'no_answer' });
  });

  test('a caller who hangs up while queued is counted as abandoned', async () => {
    await weak.getByTestId('btn-not-ready').click();
    const reason = weak.getByTestId('not-ready-reason-break');
    if (await reason.isVisible().catch(() => false)) await reason.click();
    await expect(weak.getByTestId('agent-status')).toHaveAttribute('data-state', 'not_ready');
    const before = (await api(platform.baseUrl, admin, 'GET', '/api/metrics')).queues.find((q: { queueId: string }) => q.queueId === ids.skills);
    await call('5100', 3000, 'abandon');
    await expect
      .poll(async () => (await api(platform.baseUrl, admin, 'GET', '/api/metrics')).queues.find((q: { queueId: string }) => q.queueId === ids.skills).abandoned, { timeout: 20_000 })
      .toBe(before.abandoned + 1);
    const row = await cdr(sql`select * from cdrs where queue_id = ${ids.skills} order by enqueued_at desc limit 1`);
    expect(row).toMatchObject({ outcome: 'abandoned', agent_id: null });
    expect(Number(row!.wait_seconds)).toBeGreaterThan(2);
  });

  test('a caller past the queue maximum hears the overflow announcement and is hung up', async () => {
    await call('5200', 60_000, 'overflow');
    await expect.poll(async () => (await cdr(sql`select outcome from cdrs where queue_id = ${ids.overflow} order by enqueued_at desc limit 1`))?.outcome, { timeout: 40_000 }).toBe('overflowed');
    const row = await cdr(sql`select * from cdrs where queue_id = ${ids.overflow} order by enqueued_at desc limit 1`);
    // Waited 2 s, then the announcement (tones + flite) played before FreeSWITCH hung up.
    expect(Number(row!.wait_seconds)).toBeGreaterThan(4);
  });

  test('a waiting caller hears their position and estimated wait, spoken over the hold music', async () => {
    await call('5300', 19_000, 'announce');
    const log = path.join(platform.dataDir, 'freeswitch', 'log', 'freeswitch.log');
    const prompts = path.join(platform.dataDir, 'prompts');
    await expect.poll(() => fs.readFileSync(log, 'utf8').includes(`playback(${prompts}/`), { timeout: 25_000 }).toBe(true);
    const played = /playback\((\/[^)]+\.wav)\)/.exec(fs.readFileSync(log, 'utf8').split('\n').filter((l) => l.includes(prompts)).at(-1)!)![1]!;
    expect(fs.statSync(played).size).toBeGreaterThan(8000);
    // The hold music resumes after the announcement: the caller stays in the queue until hanging up.
    await expect.poll(async () => (await cdr(sql`select outcome from cdrs where queue_id = ${ids.announce}`))?.outcome, { timeout: 15_000 }).toBe('abandoned');
  });

  test('an orchestrator crash with a caller waiting: the caller keeps waiting and is routed afterwards', async () => {
    await call('5100', 60_000, 'restart');
    await expect.poll(async () => (await cdr(sql`select id, outcome, enqueued_at from cdrs where queue_id = ${ids.skills} and outcome = 'live'`))?.outcome, { timeout: 15_000 }).toBe('live');
    const waiting = await cdr(sql`select id, enqueued_at from cdrs where queue_id = ${ids.skills} and outcome = 'live'`);
    await platform.crashAndRestartOrchestrator();
    // The softphones reconnect by themselves; the agent goes ready and gets the waiting caller.
    await expect(strong.getByTestId('ws-status')).toHaveAttribute('data-state', 'connected', { timeout: 30_000 });
    await setReady(strong);
    await expect(strong.getByTestId('call-card')).toHaveAttribute('data-call-id', waiting!.id, { timeout: 20_000 });
    await expect(strong.getByTestId('btn-answer')).toBeEnabled({ timeout: 15_000 });
    await strong.getByTestId('btn-answer').click();
    await expect(strong.getByTestId('call-state')).toHaveAttribute('data-state', 'connected');
    await expect(strong.getByTestId('agent-status')).toHaveAttribute('data-state', 'on_call');
    await strong.getByTestId('btn-hangup').click();
    await expect.poll(async () => (await cdr(sql`select outcome from cdrs where id = ${waiting!.id}`))?.outcome, { timeout: 15_000 }).toBe('answered');
    const row = await cdr(sql`select enqueued_at from cdrs where id = ${waiting!.id}`);
    expect(row!.enqueued_at.getTime()).toBe(waiting!.enqueued_at.getTime());
  });

  test('callback in queue: the caller presses 1 and hangs up; the agent is connected to the customer when the turn comes', async () => {
    await strong.getByTestId('btn-not-ready').click();
    const reason = strong.getByTestId('not-ready-reason-break');
    if (await reason.isVisible().catch(() => false)) await reason.click();
    await expect(strong.getByTestId('agent-status')).toHaveAttribute('data-state', 'not_ready');
    const customer = start('sipp', ['-sn', 'uas', '-i', '127.0.0.1', '-p', String(customerPort), '-m', '1', '-nostdin', '-timeout', '90s', '-timeout_error'], {}, path.join(platform.dataDir, 'sipp-customer.log'));
    callers.push(customer);
    const caller = start('sipp', [
      `127.0.0.1:${platform.ports.trunkSip}`, '-sf', path.join(import.meta.dirname, '..', 'support', 'sipp', 'caller-presses-1.xml'), '-s', '5400', '-m', '1',
      '-i', '127.0.0.1', '-p', String(await freePort()), '-mp', String(32000 + 2 * Math.floor(Math.random() * 1000)), '-nostdin', '-timeout', '60s', '-timeout_error',
    ], {}, path.join(platform.dataDir, 'sipp-callback-caller.log'));
    callers.push(caller);
    await expect.poll(async () => (await cdr(sql`select status from callbacks where queue_id = ${ids.callback}`))?.status, { timeout: 20_000 }).toBe('waiting');
    const origin = await cdr(sql`select outcome from cdrs where queue_id = ${ids.callback} and called_number = '5400'`);
    await expect.poll(async () => (await cdr(sql`select outcome from cdrs where queue_id = ${ids.callback} and called_number = '5400'`))?.outcome, { timeout: 15_000 }).toBe('callback');
    expect(origin).toBeDefined();
    await expect.poll(() => caller.child.exitCode, { timeout: 15_000 }).toBe(0); // FreeSWITCH hung up after the confirmation
    // The agent becomes ready: the callback rings the agent first, then the customer's phone.
    await setReady(strong);
    await expect(strong.getByTestId('caller-number')).toHaveText('13900002222', { timeout: 15_000 });
    await expect(strong.getByTestId('btn-answer')).toBeEnabled({ timeout: 15_000 });
    await strong.getByTestId('btn-answer').click();
    await expect(strong.getByTestId('agent-status')).toHaveAttribute('data-state', 'on_call');
    await expect.poll(async () => (await cdr(sql`select status from callbacks where queue_id = ${ids.callback}`))?.status, { timeout: 15_000 }).toBe('dialing');
    await strong.waitForTimeout(2000);
    await strong.getByTestId('btn-hangup').click();
    await expect.poll(async () => (await cdr(sql`select status from callbacks where queue_id = ${ids.callback}`))?.status, { timeout: 15_000 }).toBe('done');
    await expect.poll(() => customer.child.exitCode, { timeout: 15_000 }).toBe(0); // the customer's phone took one call and got a BYE
    const cb = await cdr(sql`select * from cdrs where queue_id = ${ids.callback} and called_number = 'callback'`);
    expect(cb).toMatchObject({ outcome: 'answered', caller_number: '13900002222', agent_id: ids.strong });
    expect(Number(cb!.talk_seconds)).toBeGreaterThan(1.5);
  });
});
