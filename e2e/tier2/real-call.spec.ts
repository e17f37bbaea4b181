import { expect, test } from '@playwright/test';
import postgres from 'postgres';
import path from 'node:path';
import { ADMIN, api, freePort, freeswitchBin, loginCookie, start, startPlatform, stopPid, type Platform, type Spawned } from '../support/platform.ts';

/**
 * Tier 2: the same first call with every part real. The orchestrator launches
 * FreeSWITCH with the project's config; the agent is the Svelte/JsSIP softphone
 * in headless Chromium, registered over WebSocket; sipp dials the inbound number
 * through the trunk profile and echoes the RTP it receives, so audio the browser
 * hears back has crossed browser → FreeSWITCH → sipp → FreeSWITCH → browser.
 */
test.describe.serial('tier 2: a real SIP caller reaches the browser agent', () => {
  test.skip(!freeswitchBin(), 'tier 2 skipped: FreeSWITCH not found');
  let platform: Platform;
  let sipp: Spawned | null = null;

  test.beforeAll(async () => {
    platform = await startPlatform({ freeswitch: 'real' });
    const admin = await loginCookie(platform.baseUrl, ADMIN.login, ADMIN.password);
    const agent = await api(platform.baseUrl, admin, 'POST', '/api/agents', { login: 'li.na', displayName: '李娜', extension: '1001', password: 'agent-password-1' });
    const queue = await api(platform.baseUrl, admin, 'POST', '/api/queues', { name: 'Hotline', inboundNumber: '4000', ringTimeoutSec: 30 });
    await api(platform.baseUrl, admin, 'PUT', `/api/queues/${queue.id}/agents`, { agentIds: [agent.id] });
    await api(platform.baseUrl, admin, 'POST', '/api/customers', { name: 'SIPp Tester', phone: '13900001111' });
  });
  test.afterAll(async () => {
    await stopPid(sipp?.child.pid, 2000);
    await platform?.stop();
  });

  test('sipp → queue → JsSIP softphone answers, two-way audio, hang-up, CDR', async ({ page }) => {
    await page.goto(platform.baseUrl);
    await page.getByTestId('login-input').fill('li.na');
    await page.getByTestId('password-input').fill('agent-password-1');
    await page.getByTestId('login-submit').click();
    await expect(page.getByTestId('sip-status')).toHaveAttribute('data-state', 'registered', { timeout: 20_000 });
    await page.getByTestId('btn-ready').click();
    await expect(page.getByTestId('agent-status')).toHaveAttribute('data-state', 'ready');

    const sipPort = await freePort();
    const mediaPort = 20000 + 2 * Math.floor(Math.random() * 4000) + 10000;
    sipp = start('sipp', [
      `127.0.0.1:${platform.ports.trunkSip}`, '-sn', 'uac', '-s', '4000', '-m', '1', '-d', '12000',
      '-i', '127.0.0.1', '-p', String(sipPort), '-mp', String(mediaPort), '-rtp_echo',
      '-key', 'fromuser', '13900001111', '-nostdin', '-timeout', '60s', '-timeout_error',
    ], {}, path.join(platform.dataDir, 'sipp.log'));
    // Default uac scenario sends From: sipp; the CDR and screen pop use the caller ID FreeSWITCH sees.

    const card = page.getByTestId('call-card');
    await expect(card).toBeVisible({ timeout: 20_000 });
    await expect(page.getByTestId('btn-answer')).toBeEnabled({ timeout: 20_000 });
    const callId = await card.getAttribute('data-call-id');
    await page.getByTestId('btn-answer').click();
    await expect(page.getByTestId('call-state')).toHaveAttribute('data-state', 'connected');
    await expect(page.getByTestId('agent-status')).toHaveAttribute('data-state', 'on_call');

    await page.waitForTimeout(4000);
    const inbound = await page.evaluate(() => (window as any).__softphone.inboundAudioStats());
    const outbound = await page.evaluate(() => (window as any).__softphone.outboundAudioStats());
    console.log(`tier 2 audio after 4 s: browser sent ${outbound?.packetsSent} packets, received ${inbound?.packetsReceived} (echoed by sipp), inbound audioLevel ${inbound?.audioLevel}`);
    expect(outbound.packetsSent).toBeGreaterThan(100);
    expect(inbound.packetsReceived).toBeGreaterThan(100);
    expect(inbound.audioLevel).toBeGreaterThan(0);

    // sipp hangs up after its 12 s pause; the agent returns to Ready.
    await expect(page.getByTestId('call-state')).toHaveAttribute('data-state', 'ended', { timeout: 30_000 });
    await expect(page.getByTestId('agent-status')).toHaveAttribute('data-state', 'ready');

    const sql = postgres(platform.pgUrl, { max: 1 });
    try {
      await expect.poll(async () => (await sql`select outcome from cdrs where id = ${callId}`)[0]?.outcome, { timeout: 10_000 }).toBe('answered');
      const [row] = await sql`select * from cdrs where id = ${callId}`;
      console.log(`tier 2 CDR: caller ${row!.caller_number} → ${row!.called_number}, wait ${row!.wait_seconds}s, talk ${row!.talk_seconds}s, cause ${row!.hangup_cause}`);
      expect(row!.called_number).toBe('4000');
      expect(row!.agent_leg_uuid).not.toBeNull();
      expect(Number(row!.talk_seconds)).toBeGreaterThan(4);
      expect(Number(row!.wait_seconds) + Number(row!.talk_seconds)).toBeLessThan(14);
      expect(row!.hangup_cause).toBe('NORMAL_CLEARING');
    } finally {
      await sql.end();
    }
  });
});
