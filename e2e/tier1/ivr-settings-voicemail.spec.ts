import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { expect, test, type Page } from '@playwright/test';
import postgres from 'postgres';
import { ADMIN, api, loginCookie, startPlatform, type Platform } from '../support/platform.ts';
import { toneWav } from '../support/audio.ts';

/**
 * Tier 1, in the real web app against the ESL test peer: an admin's IVR settings
 * (switches, voicemail boxes, prompt uploads), an agent's voicemail panel (play,
 * mark heard), and the IVR data an IVR caller entered shown in the agent's call card.
 */
test.describe.serial('IVR settings, voicemail and IVR data in the web app (ESL test peer)', () => {
  let platform: Platform;
  let adminPage: Page;
  let agentPage: Page;
  let adminCookie = '';
  let agentUserId = '';
  let queueId = '';
  let sql: ReturnType<typeof postgres>;

  const peer = async (method: string, p: string, body?: unknown) => {
    const res = await fetch(platform.peerUrl! + p, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return res.json() as Promise<any>;
  };

  test.beforeAll(async ({ browser }) => {
    platform = await startPlatform({ freeswitch: 'peer' });
    sql = postgres(platform.pgUrl, { max: 1, onnotice: () => {} });
    adminCookie = await loginCookie(platform.baseUrl, ADMIN.login, ADMIN.password);
    const agent = await api(platform.baseUrl, adminCookie, 'POST', '/api/agents', { login: 'li.na', displayName: '李娜', extension: '1201', password: 'agent-password-1' });
    const queue = await api(platform.baseUrl, adminCookie, 'POST', '/api/queues', { name: '账单查询', inboundNumber: null });
    queueId = queue.id;
    await api(platform.baseUrl, adminCookie, 'PUT', `/api/queues/${queueId}/agents`, { agentIds: [agent.id] });
    agentUserId = (await sql`select user_id from agents where id = ${agent.id}`)[0]!.user_id;
    // Clipboard access for the prompt path's copy button.
    adminPage = await (await browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] })).newPage();
    agentPage = await (await browser.newContext()).newPage();
  });
  test.afterAll(async () => {
    await sql?.end();
    await platform?.stop();
  });

  test('an admin turns an IVR switch on (kept after a reload) and a bad name is refused in the form', async () => {
    await adminPage.goto(platform.baseUrl);
    await adminPage.getByTestId('login-input').fill(ADMIN.login);
    await adminPage.getByTestId('password-input').fill(ADMIN.password);
    await adminPage.getByTestId('login-submit').click();
    const settings = adminPage.getByTestId('ivr-settings');
    await expect(settings).toContainText('IVR 设置');
    const section = adminPage.getByTestId('ivr-switches-section');
    await expect(section.getByTestId('ivr-switches-table')).toContainText('还没有开关');

    await section.getByTestId('ivr-switch-name').fill('Outage-1');
    await section.getByTestId('ivr-switch-submit').click();
    await expect(section.getByTestId('field-error-name')).toBeVisible();

    await section.getByTestId('ivr-switch-name').fill('outage');
    await section.getByTestId('ivr-switch-description').fill('系统故障通知');
    await section.getByTestId('ivr-switch-submit').click();
    const row = section.getByTestId('ivr-switch-row-outage');
    await expect(row).toHaveAttribute('data-enabled', 'false');
    await expect(row).toContainText('系统故障通知');
    await expect(section.getByTestId('field-error-name')).toHaveCount(0);

    await section.getByTestId('ivr-switch-toggle-outage').check();
    await expect(row).toHaveAttribute('data-enabled', 'true');
    await expect(section.getByTestId('ivr-switch-state-outage')).toHaveText('开');

    await adminPage.reload();
    await expect(adminPage.getByTestId('ivr-switch-row-outage')).toHaveAttribute('data-enabled', 'true');
    await expect(adminPage.getByTestId('ivr-switch-toggle-outage')).toBeChecked();
    const [stored] = await sql`select enabled, description from ivr_switches where name = 'outage'`;
    expect(stored).toEqual({ enabled: true, description: '系统故障通知' });
  });

  test('an admin creates a voicemail box; a bad webhook URL shows a field error from the server', async () => {
    const section = adminPage.getByTestId('vm-boxes-section');
    await section.getByTestId('vm-box-mailbox').fill('sales');
    await section.getByTestId('vm-box-description').fill('销售留言');
    await section.getByTestId('vm-box-webhook').fill('ftp://crm.example.com/hook');
    await section.getByTestId('vm-box-email').fill('sales@example.com');
    await section.getByTestId('vm-box-submit').click();
    await expect(section.getByTestId('field-error-webhookUrl')).toBeVisible();
    await expect(section.getByTestId('field-error-email')).toHaveCount(0);
    expect((await sql`select count(*)::int as n from voicemail_boxes`)[0]!.n).toBe(0);

    await section.getByTestId('vm-box-webhook').fill('https://crm.example.com/voicemail');
    await section.getByTestId('vm-box-submit').click();
    await expect(section.getByTestId('vm-box-saved')).toHaveAttribute('data-mailbox', 'sales');
    await expect(section.getByTestId('vm-box-webhook-sales')).toHaveText('https://crm.example.com/voicemail');
    await expect(section.getByTestId('vm-box-email-sales')).toHaveText('sales@example.com');

    // Edit: clearing the email means no email notification.
    await section.getByTestId('vm-box-edit-sales').click();
    await expect(section.getByTestId('vm-box-mailbox')).toHaveValue('sales');
    await section.getByTestId('vm-box-email').fill('');
    await section.getByTestId('vm-box-submit').click();
    await expect(section.getByTestId('vm-box-email-sales')).toHaveText('—');
    const [box] = await sql`select description, webhook_url, email from voicemail_boxes where mailbox = 'sales'`;
    expect(box).toEqual({ description: '销售留言', webhook_url: 'https://crm.example.com/voicemail', email: null });

    // A second box, deleted again.
    await section.getByTestId('vm-box-mailbox').fill('spare');
    await section.getByTestId('vm-box-submit').click();
    await expect(section.getByTestId('vm-box-row-spare')).toBeVisible();
    await section.getByTestId('vm-box-delete-spare').click();
    await expect(section.getByTestId('vm-box-row-spare')).toHaveCount(0);
    expect((await sql`select mailbox from voicemail_boxes order by mailbox`).map((r) => r.mailbox)).toEqual(['sales']);
  });

  test('an admin uploads a WAV prompt and sees its duration and path; garbage and a broken MP3 are refused', async () => {
    const section = adminPage.getByTestId('prompts-section');
    await section.getByTestId('prompt-file').setInputFiles({ name: 'welcome.wav', mimeType: 'audio/wav', buffer: toneWav({ frequencyHz: 440, seconds: 2, amplitude: 0.25, sampleRate: 16_000 }) });
    await expect(section.getByTestId('prompt-name')).toHaveValue('welcome');
    await section.getByTestId('prompt-upload').click();
    await expect(section.getByTestId('prompt-uploaded')).toHaveAttribute('data-name', 'welcome');
    const row = section.getByTestId('prompt-row-welcome');
    await expect(row).toBeVisible();
    await expect(section.getByTestId('prompt-duration-welcome')).toHaveText('0:02');
    const durationMs = Number(await row.getAttribute('data-duration-ms'));
    expect(Math.abs(durationMs - 2000)).toBeLessThanOrEqual(20);
    const filePath = (await section.getByTestId('prompt-path-welcome').textContent())!.trim();
    expect(filePath).toMatch(/\/welcome\.[0-9a-f]{8}\.wav$/);
    expect(fs.statSync(filePath).size).toBeGreaterThan(2 * 8000 * 2); // 8 kHz 16-bit mono after conversion
    const [stored] = await sql`select file_path, duration_ms, original_name from prompts where name = 'welcome'`;
    expect(stored).toEqual({ file_path: filePath, duration_ms: durationMs, original_name: 'welcome.wav' });

    await section.getByTestId('prompt-copy-welcome').click();
    await expect(section.getByTestId('prompt-copy-welcome')).toHaveAttribute('data-copied', 'true');
    expect(await adminPage.evaluate(() => navigator.clipboard.readText())).toBe(filePath);

    // Not audio at all: refused before sox runs.
    await section.getByTestId('prompt-file').setInputFiles({ name: 'notes.wav', mimeType: 'audio/wav', buffer: Buffer.from('this is not audio, just some text pretending to be a wav file') });
    await expect(section.getByTestId('prompt-name')).toHaveValue('notes');
    await section.getByTestId('prompt-upload').click();
    await expect(section.getByTestId('prompt-upload-error')).toContainText('not a WAV or MP3 file');
    await expect(section.getByTestId('prompt-uploaded')).toHaveCount(0);

    // An MP3 header over junk: sox cannot make audio of it.
    await section.getByTestId('prompt-name').fill('');
    const junkMp3 = Buffer.concat([Buffer.from('ID3\x03\x00\x00\x00\x00\x00\x00', 'latin1'), Buffer.alloc(600, 0x5a)]);
    await section.getByTestId('prompt-file').setInputFiles({ name: 'hold.mp3', mimeType: 'audio/mpeg', buffer: junkMp3 });
    await expect(section.getByTestId('prompt-name')).toHaveValue('hold');
    await section.getByTestId('prompt-upload').click();
    await expect(section.getByTestId('prompt-upload-error')).toBeVisible();
    const mp3Error = (await section.getByTestId('prompt-upload-error').textContent())!.trim();
    // sox's reason (no MP3 handler without libsox-fmt-mp3, or no audio in it), without server paths.
    expect(mp3Error).toMatch(/sox could not convert the file|holds no audio/);
    expect(mp3Error).not.toContain(platform.dataDir);
    expect((await sql`select name from prompts order by name`).map((r) => r.name)).toEqual(['welcome']);
    await adminPage.getByTestId('ivr-settings').screenshot({ path: '../.data/e2e-results/ivr-settings.png' });
    console.log(`tier 1 prompt upload: welcome.wav 2.000 s at 16 kHz -> ${durationMs} ms, ${fs.statSync(filePath).size} bytes at 8 kHz; junk MP3 -> "${mp3Error}"`);
  });

  test('an agent sees a voicemail, plays it, and marks it heard', async () => {
    const [org] = await sql`select organization_id from agents limit 1`;
    const wavPath = path.join(platform.dataDir, 'voicemail-e2e', 'message.wav');
    fs.mkdirSync(path.dirname(wavPath), { recursive: true });
    fs.writeFileSync(wavPath, toneWav({ frequencyHz: 440, seconds: 3, amplitude: 0.25, sampleRate: 8000 }));
    const [vm] = await sql`insert into voicemails (organization_id, mailbox, call_uuid, caller_number, file_path, duration_ms, variables)
      values (${org!.organization_id}, 'sales', ${randomUUID()}, '13912345678', ${wavPath}, 3000, ${sql.json({ account: '88001234' })})
      returning id`;
    const id = vm!.id as string;

    await agentPage.goto(platform.baseUrl);
    await agentPage.getByTestId('login-input').fill('li.na');
    await agentPage.getByTestId('password-input').fill('agent-password-1');
    await agentPage.getByTestId('login-submit').click();
    const panel = agentPage.getByTestId('voicemail-panel');
    await expect(panel).toContainText('语音留言');
    await agentPage.getByTestId('locale-select').selectOption('en');
    await expect(panel).toContainText('Voicemail');

    const row = panel.locator(`[data-testid="voicemail-row"][data-voicemail-id="${id}"]`);
    await expect(row).toHaveAttribute('data-status', 'new');
    await expect(row.getByTestId('voicemail-caller')).toHaveText('13912345678');
    await expect(row.getByTestId('voicemail-duration')).toHaveText('0:03');
    await expect(row).toContainText('88001234');
    await expect(panel.getByTestId('voicemail-new-count')).toHaveText('1 new');
    await expect(panel.getByTestId('voicemail-mailbox-filter').locator('option[value="sales"]')).toHaveCount(1);

    // Nothing is fetched (and audited) before Play.
    expect((await sql`select count(*)::int as n from audit_log where action = 'voicemail.play'`)[0]!.n).toBe(0);
    await row.getByTestId('voicemail-play').click();
    const audio = panel.getByTestId('voicemail-audio');
    await expect.poll(() => audio.evaluate((a: HTMLAudioElement) => a.readyState)).toBeGreaterThanOrEqual(1);
    const seconds = await audio.evaluate((a: HTMLAudioElement) => a.duration);
    expect(seconds).toBeCloseTo(3, 1);
    await expect(panel.getByTestId('voicemail-audio-error')).toHaveCount(0);
    await panel.screenshot({ path: '../.data/e2e-results/voicemail-panel.png' });
    await expect.poll(async () => (await sql`select count(*)::int as n from audit_log where action = 'voicemail.play' and target = ${id}`)[0]!.n).toBeGreaterThanOrEqual(1);

    await row.getByTestId('voicemail-mark-heard').click();
    await expect(row).toHaveAttribute('data-status', 'heard');
    await expect(row.getByTestId('voicemail-status')).toHaveText('Heard');
    await expect.poll(async () => (await sql`select status from voicemails where id = ${id}`)[0]!.status).toBe('heard');
    const [stored] = await sql`select heard_by, heard_at from voicemails where id = ${id}`;
    expect(stored!.heard_by).toBe(agentUserId);
    expect(stored!.heard_at).not.toBeNull();

    // Filters: by status (server side) and by mailbox.
    await panel.getByTestId('voicemail-status-filter').selectOption('new');
    await expect(panel.getByTestId('voicemail-empty')).toHaveText('No voicemail');
    await panel.getByTestId('voicemail-status-filter').selectOption('heard');
    await expect(row).toHaveAttribute('data-status', 'heard');
    await panel.getByTestId('voicemail-mailbox-filter').selectOption('sales');
    await expect(row).toBeVisible();
    await row.getByTestId('voicemail-archive').click();
    await expect.poll(async () => (await sql`select status from voicemails where id = ${id}`)[0]!.status).toBe('archived');
    // Supervisors and admins have the same panel as a tab.
    await adminPage.getByTestId('tab-voicemail').click();
    await expect(adminPage).toHaveURL(/#voicemail$/);
    const managed = adminPage.getByTestId('voicemail-panel');
    await managed.getByTestId('voicemail-status-filter').selectOption('archived');
    await expect(managed.locator(`[data-testid="voicemail-row"][data-voicemail-id="${id}"]`)).toHaveAttribute('data-status', 'archived');
    await adminPage.getByTestId('tab-admin').click();
    console.log(`tier 1 voicemail: ${fs.statSync(wavPath).size} bytes WAV played in Chromium, duration ${seconds.toFixed(3)} s, status new -> heard -> archived`);
  });

  test('an IVR caller who entered an account number pops it in the agent card', async () => {
    const flow = await api(platform.baseUrl, adminCookie, 'POST', '/api/ivr/flows', {
      name: 'Billing line',
      definition: {
        name: 'Billing line',
        language: 'en',
        start: 'account',
        nodes: {
          account: { type: 'collect', prompt: { tts: { en: 'Enter your account number, then hash' } }, variable: 'account', minLength: 6, maxLength: 10, terminator: '#', next: 'queue', onFail: 'bye' },
          queue: { type: 'queue', queueId },
          bye: { type: 'hangup' },
        },
      },
    });
    await api(platform.baseUrl, adminCookie, 'POST', `/api/ivr/flows/${flow.id}/publish`);

    await expect(agentPage.getByTestId('no-call')).toBeVisible();
    await agentPage.getByTestId('btn-ready').click();
    await expect(agentPage.getByTestId('agent-status')).toHaveAttribute('data-state', 'ready');
    await peer('POST', '/agents/1201/behaviour', { kind: 'manual' });
    const { uuid } = await peer('POST', '/ivr-calls', { callerNumber: '13800000001', did: '95001', flowId: flow.id });
    await expect.poll(async () => ((await peer('GET', '/state')).commands as string[]).some((c) => c.includes(uuid) && c.includes('play_and_get_digits'))).toBe(true);
    await peer('POST', `/calls/${uuid}/keys`, { keys: '20261122#' });

    await expect(agentPage.getByTestId('call-card')).toHaveAttribute('data-call-id', uuid);
    const ivrData = agentPage.getByTestId('ivr-data');
    await expect(ivrData).toContainText('IVR data');
    await expect(ivrData.locator('[data-testid="ivr-data-row"][data-key="account"]')).toContainText('20261122');
    const keys = await ivrData.getByTestId('ivr-data-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-key')));
    // Only what the caller entered: not the called number, the caller's number/name or the admin's switches.
    expect(keys).toEqual(['account']);
    await agentPage.screenshot({ path: '../.data/e2e-results/ivr-data-call-card.png' });
    await peer('POST', `/calls/${uuid}/hangup`);
    await expect(agentPage.getByTestId('call-state')).toHaveAttribute('data-state', 'ended');
    console.log(`tier 1 IVR data: call card shows ${keys.length} IVR fields (${keys.join(', ')})`);
  });
});
