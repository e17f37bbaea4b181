import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import postgres from 'postgres';
import { ADMIN, api, loginCookie, startPlatform, type Platform } from '../support/platform.ts';
import { logIn as login } from '../support/agent.ts';
import { toneWav } from '../support/audio.ts';



/**
 * Tier 1, quality control (质检) in the real web app: an admin designs a
 * scoring form (live validation naming section/item/field, max-score preview),
 * a supervisor scores a stored recording while it plays — live score, a
 * comment pinned to the playhead — and submits; the agent opens their
 * evaluation, jumps to the comment in the recording and acknowledges it.
 * The recording is a WAV file placed where local recording storage keeps
 * stored recordings, with its row in `recordings`.
 */
test.describe.serial('quality control: form → scoring with a timed comment → agent acknowledges (ESL test peer)', () => {
  let platform: Platform;
  let sql: postgres.Sql;
  let adminPage: Page;
  let supervisorPage: Page;
  let agentPage: Page;
  let agentId = '';
  let recordingId = '';
  let commentMs = 0;

  test.beforeAll(async ({ browser }) => {
    platform = await startPlatform({ freeswitch: 'peer' });
    sql = postgres(platform.pgUrl, { max: 1, onnotice: () => {} });
    const cookie = await loginCookie(platform.baseUrl, ADMIN.login, ADMIN.password);
    agentId = (await api(platform.baseUrl, cookie, 'POST', '/api/agents', { login: 'li.na', displayName: '李娜', extension: '1201', password: 'agent-password-1' })).id;
    await api(platform.baseUrl, cookie, 'POST', '/api/users', { login: 'qa.lead', displayName: '质检组长', password: 'super-password-1', role: 'supervisor' });
    const queueId = (await api(platform.baseUrl, cookie, 'POST', '/api/queues', { name: '投诉热线' })).id;

    // A 6-second stored recording of a call the agent took an hour ago.
    recordingId = crypto.randomUUID();
    const startedAt = new Date(Date.now() - 3600_000);
    const d = startedAt.toISOString();
    const key = `${d.slice(0, 4)}/${d.slice(5, 7)}/${d.slice(8, 10)}/${recordingId}.wav`;
    const wav = toneWav({ frequencyHz: 440, seconds: 6, amplitude: 0.25, sampleRate: 8000 });
    const file = path.join(platform.dataDir, 'recordings', ...key.split('/'));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, wav);
    await sql`
      insert into recordings (id, organization_id, call_id, agent_id, agent_ids, queue_id, caller_number, called_number, started_at, ended_at,
                              duration_ms, channels, sample_rate, size_bytes, sha256, storage, storage_key, capture_path, status, stored_at)
      values (${recordingId}, '00000000-0000-4000-8000-000000000001', ${crypto.randomUUID()}, ${agentId}, ${[agentId]}::uuid[], ${queueId},
              '13900139000', '4001', ${startedAt}, ${new Date(startedAt.getTime() + 6000)}, 6000, 1, 8000, ${wav.length},
              ${crypto.createHash('sha256').update(wav).digest('hex')}, 'local', ${key}, ${path.join(platform.dataDir, 'recordings', 'capture', `${recordingId}.wav`)}, 'stored', now())`;

    adminPage = await (await browser.newContext()).newPage();
    supervisorPage = await (await browser.newContext()).newPage();
    agentPage = await (await browser.newContext()).newPage();
  });
  test.afterAll(async () => {
    await sql?.end();
    await platform?.stop();
  });

  test('the admin designs a scoring form: problems name section, item and field; the preview shows what each item is worth', async () => {
    await login(adminPage, platform.baseUrl, ADMIN.login, ADMIN.password);
    await expect(adminPage.getByTestId('tab-quality')).toHaveText('质检');
    await adminPage.getByTestId('tab-quality').click();
    await adminPage.getByTestId('qa-view-forms').click();
    await adminPage.getByTestId('qa-form-new').click();
    await adminPage.getByTestId('qa-form-name').fill('标准质检表');
    await adminPage.getByTestId('qa-form-code').fill('std');
    await adminPage.getByTestId('qa-section-title-0').fill('服务规范');
    await adminPage.getByTestId('qa-item-label-0-0').fill('礼貌用语');
    await adminPage.getByTestId('qa-item-max-0-0').fill('5');
    await adminPage.getByTestId('qa-add-item-0').click();
    await adminPage.getByTestId('qa-item-max-0-1').fill('1');
    await adminPage.getByTestId('qa-item-fatal-0-1').check();

    // The second item has no label yet: the live check and the server both name it.
    await expect(adminPage.getByTestId('qa-form-issues')).toContainText('section "s1", item "i2": label');
    await adminPage.getByTestId('qa-form-save').click();
    await expect(adminPage.getByTestId('qa-form-save-error')).toContainText('section "s1", item "i2": label');
    expect((await sql`select count(*)::int as n from qa_forms`)[0]!.n).toBe(0);

    await adminPage.getByTestId('qa-item-label-0-1').fill('核实身份');
    await expect(adminPage.getByTestId('qa-form-issues')).toHaveCount(0);
    await expect(adminPage.getByTestId('qa-form-preview-total')).toHaveText('满分 100 · 2 项 · 1 个致命项');
    await expect(adminPage.getByTestId('qa-item-worth-0-0')).toHaveText('50');
    await adminPage.screenshot({ path: '../.data/e2e-results/qa-form-designer.png', fullPage: true });
    await adminPage.getByTestId('qa-form-save').click();
    await expect(adminPage.getByTestId('qa-form-notice')).toHaveText('已保存为版本 1');
    await expect(adminPage.getByTestId('qa-form-row')).toHaveCount(1);
    const [form] = await sql`select code, name, current_version from qa_forms`;
    expect(form).toEqual({ code: 'std', name: '标准质检表', current_version: 1 });
  });

  test('the supervisor scores the recording while listening, with a comment pinned to the playhead, and submits', async () => {
    await login(supervisorPage, platform.baseUrl, 'qa.lead', 'super-password-1');
    await supervisorPage.getByTestId('locale-select').selectOption('en');
    await supervisorPage.getByTestId('tab-quality').click();
    await expect(supervisorPage.getByTestId('qa-form-select')).toContainText('标准质检表');
    const row = supervisorPage.locator(`[data-testid="qa-recording-row"][data-recording-id="${recordingId}"]`);
    await expect(row).toContainText('李娜');
    await row.getByTestId('qa-score-recording').click();

    const player = supervisorPage.getByTestId('recording-player');
    await expect(player).toHaveAttribute('data-state', 'ready');
    await expect(player).toHaveAttribute('data-duration-sec', '6.00');

    // Live score with the orchestrator's scoring in the browser: (4/5 + 1/1) / 2 = 90.
    await supervisorPage.getByTestId('qa-answer-i1').fill('4');
    await expect(supervisorPage.getByTestId('qa-live-score')).toHaveText('80');
    await expect(supervisorPage.getByTestId('qa-submit')).toBeDisabled();
    await supervisorPage.getByTestId('qa-answer-max-i2').click();
    await expect(supervisorPage.getByTestId('qa-live-score')).toHaveText('90');

    // Click the waveform at 42 %: the playhead moves there (≈ 2.5 s) and the comment button follows it.
    const wave = supervisorPage.getByTestId('recording-waveform');
    const box = (await wave.boundingBox())!;
    await wave.click({ position: { x: box.width * 0.42, y: 20 } });
    await expect.poll(async () => Number(await player.getAttribute('data-current-sec'))).toBeGreaterThan(1.5);
    const sec = Number(await player.getAttribute('data-current-sec'));
    expect(sec).toBeLessThan(3.5);
    await expect(supervisorPage.getByTestId('qa-comment-add')).toHaveText(`Add at 0:0${Math.floor(sec)}`);
    await supervisorPage.getByTestId('qa-comment-input').fill('语速过快，客户没听清');
    await supervisorPage.getByTestId('qa-comment-add').click();
    await expect(supervisorPage.getByTestId('qa-comment')).toHaveCount(1);
    const [c] = await sql`select offset_ms, text from qa_comments`;
    commentMs = c!.offset_ms as number;
    expect(c!.text).toBe('语速过快，客户没听清');
    expect(Math.abs(commentMs - sec * 1000)).toBeLessThanOrEqual(10);
    await expect(supervisorPage.getByTestId('qa-comment-time')).toHaveText(`0:0${Math.floor(commentMs / 1000)}`);

    await supervisorPage.screenshot({ path: '../.data/e2e-results/qa-scoring.png', fullPage: true });
    await supervisorPage.getByTestId('qa-submit').click();
    await expect(supervisorPage.getByTestId('qa-status')).toHaveAttribute('data-status', 'submitted');
    await expect(supervisorPage.getByTestId('qa-evaluation-total')).toHaveText('90');
    const [e] = await sql`select status, total_score::float as total, fatal from qa_evaluations where recording_id = ${recordingId}`;
    expect(e).toEqual({ status: 'submitted', total: 90, fatal: false });
    console.log(`tier 1 quality: score 90 (live and server), comment pinned at ${commentMs} ms of 6000 ms`);
  });

  test('the agent sees the score and the comment, jumps to it in the recording, and acknowledges', async () => {
    await login(agentPage, platform.baseUrl, 'li.na', 'agent-password-1');
    const mine = agentPage.getByTestId('qa-my-evaluations');
    await expect(mine.getByTestId('qa-awaiting')).toHaveText('1 条待确认');
    await mine.getByTestId('qa-evaluation-open').click();
    await expect(agentPage.getByTestId('qa-evaluation-total')).toHaveText('90');
    await expect(agentPage.getByTestId('qa-comment-text')).toHaveText('语速过快，客户没听清');
    await expect(agentPage.getByTestId('qa-comment-input')).toHaveCount(0);
    await expect(agentPage.getByTestId('qa-points-i1')).toHaveText('4 / 5');

    const player = agentPage.getByTestId('recording-player');
    await expect(player).toHaveAttribute('data-state', 'ready');
    await agentPage.getByTestId('qa-comment-time').click();
    await expect.poll(async () => Math.abs(Number(await player.getAttribute('data-current-sec')) * 1000 - commentMs)).toBeLessThan(50);

    await agentPage.screenshot({ path: '../.data/e2e-results/qa-agent.png', fullPage: true });
    await agentPage.getByTestId('qa-acknowledge').click();
    await expect(agentPage.getByTestId('qa-evaluation').getByTestId('qa-status')).toHaveAttribute('data-status', 'acknowledged');
    // The list follows: nothing is awaiting the agent any more.
    await expect(mine.getByTestId('qa-evaluation-row').getByTestId('qa-status')).toHaveAttribute('data-status', 'acknowledged');
    await expect(mine.getByTestId('qa-awaiting')).toHaveCount(0);
    await expect(agentPage.getByTestId('qa-agent-actions')).toHaveCount(0);
    const [e] = await sql`select status, acknowledged_at is not null as acknowledged from qa_evaluations where recording_id = ${recordingId}`;
    expect(e).toEqual({ status: 'acknowledged', acknowledged: true });

    const actions = await sql`select a.action, u.login from audit_log a join users u on u.id = a.actor_user_id where a.action like 'qa.%' or a.action = 'recording.play' order by a.id`;
    expect(actions.map((r) => `${r.login} ${r.action}`)).toEqual([
      'admin qa.form.create',
      'qa.lead qa.evaluation.create',
      'qa.lead recording.play',
      'qa.lead qa.evaluation.comment',
      'qa.lead qa.evaluation.submit',
      'li.na recording.play',
      'li.na qa.evaluation.acknowledge',
    ]);
  });

  test('the supervisor report shows the agent average', async () => {
    await supervisorPage.getByTestId('qa-view-reports').click();
    const row = supervisorPage.locator(`[data-testid="qa-report-row"][data-key="${agentId}"]`);
    await expect(row.getByTestId('qa-report-label')).toHaveText('李娜');
    await expect(row.getByTestId('qa-report-count')).toHaveText('1');
    await expect(row.getByTestId('qa-report-average')).toHaveText('90');
    await supervisorPage.screenshot({ path: '../.data/e2e-results/qa-report.png', fullPage: true });
  });
});
