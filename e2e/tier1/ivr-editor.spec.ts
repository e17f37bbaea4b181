import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { expect, test, type Locator, type Page } from '@playwright/test';
import postgres from 'postgres';
import { ADMIN, api, loginCookie, startPlatform, type Platform } from '../support/platform.ts';

/**
 * Tier 1, in the real web app: an admin builds a small IVR flow on the canvas
 * (menu → play → hang-up), sees a validation error on a node and fixes it,
 * dry-runs it in the browser with typed keys, publishes it, publishes a second
 * version and rolls back to the first in one click, exports a version and
 * imports the file as a new flow. The API confirms what the editor saved.
 */
test.describe.serial('IVR flow editor (canvas, dry run, publish, rollback)', () => {
  let platform: Platform;
  let page: Page;
  let cookie = '';
  let flowId = '';

  /** Drags a connection from an output handle to a node's input handle, as a mouse user does. */
  async function connect(from: Locator, to: Locator) {
    const a = (await from.boundingBox())!;
    const b = (await to.boundingBox())!;
    await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
    await page.mouse.down();
    await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2 + 20, { steps: 5 });
    await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 5 });
    await page.mouse.up();
  }

  const node = (id: string) => page.getByTestId(`ivr-node-${id}`);

  test.beforeAll(async ({ browser }) => {
    platform = await startPlatform({ freeswitch: 'peer' });
    page = await (await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true })).newPage();
    cookie = await loginCookie(platform.baseUrl, ADMIN.login, ADMIN.password);
  });
  test.afterAll(async () => {
    await platform?.stop();
  });

  test('the admin creates a flow and builds menu → play → hang-up on the canvas, fixing a validation error', async () => {
    await page.goto(platform.baseUrl);
    await page.getByTestId('login-input').fill(ADMIN.login);
    await page.getByTestId('password-input').fill(ADMIN.password);
    await page.getByTestId('login-submit').click();
    const section = page.getByTestId('ivr-section');
    await expect(section).toContainText('IVR 流程');

    await page.getByTestId('ivr-flow-name').fill('余额查询');
    await page.getByTestId('ivr-flow-create').click();
    const editor = page.getByTestId('ivr-editor');
    await expect(editor).toBeVisible();
    flowId = (await editor.getAttribute('data-flow-id'))!;
    // A new flow is a greeting and a hang-up, valid from the start.
    await expect(node('welcome')).toHaveAttribute('data-status', 'ok');
    await expect(node('goodbye')).toHaveAttribute('data-type', 'hangup');
    await expect(page.getByTestId('ivr-issues')).toHaveAttribute('data-errors', '0');

    // Statistics of live calls, when the server offers them: the overlay shows what the API counts.
    const stats = await fetch(`${platform.baseUrl}/api/ivr/flows/${flowId}/statistics`, { headers: { cookie } });
    if (stats.status === 200) {
      const body = (await stats.json()) as { runs: number; nodes: Record<string, { visits: number }> };
      await expect(page.getByTestId('ivr-stats-runs')).toHaveAttribute('data-runs', String(body.runs));
      await page.getByTestId('ivr-stats-toggle').check();
      await expect(page.getByTestId('ivr-node-stats-welcome')).toHaveAttribute('data-visits', String(body.nodes.welcome?.visits ?? 0));
      await page.getByTestId('ivr-stats-toggle').uncheck();
      await expect(page.getByTestId('ivr-node-stats-welcome')).toHaveCount(0);
      console.log(`tier 1 ivr editor: statistics endpoint answered 200 (${body.runs} runs for a new flow)`);
    } else {
      console.log(`tier 1 ivr editor: statistics endpoint answered ${stats.status}: overlay hidden`);
      expect(stats.status).toBe(404);
      await expect(page.getByTestId('ivr-stats-toggle')).toHaveCount(0);
    }

    // A menu from the palette: invalid until it has a prompt and somewhere to go.
    await page.getByTestId('ivr-palette-menu').click();
    await expect(node('menu_1')).toHaveAttribute('data-status', 'error');
    await expect(page.getByTestId('ivr-node-errors-menu_1')).toContainText('onFail 必填');
    await expect(page.getByTestId('ivr-node-form')).toHaveAttribute('data-node', 'menu_1');
    await page.getByTestId('ivr-field-prompt-zh-CN').fill('欢迎词请按1，结束请按0。');

    // Key 1 → the greeting, dragged on the canvas.
    await connect(page.getByTestId('ivr-handle-menu_1-choices.1'), page.getByTestId('ivr-handle-welcome-in'));
    await expect(page.getByTestId('ivr-output-menu_1-choices.1')).toHaveAttribute('data-target', 'welcome');
    await expect(page.locator('.svelte-flow__edge[data-id="menu_1:choices.1"]')).toHaveCount(1);

    // Key 0: added in the side panel, its handle appears on the node, then dragged to the hang-up.
    await page.getByTestId('ivr-field-choices-add').click();
    await page.getByTestId('ivr-field-choices-new-key').fill('0');
    await page.getByTestId('ivr-field-choices-new-key').press('Enter');
    await connect(page.getByTestId('ivr-handle-menu_1-choices.0'), page.getByTestId('ivr-handle-goodbye-in'));
    await expect(page.getByTestId('ivr-output-menu_1-choices.0')).toHaveAttribute('data-target', 'goodbye');

    // Still an error on the node: onFail. A timeout out of range adds one; the side panel fixes both
    // (the keyboard way to connect).
    await expect(page.getByTestId('ivr-node-errors-menu_1')).toContainText('onFail');
    await page.getByTestId('ivr-field-timeoutSec').fill('99');
    await expect(page.getByTestId('ivr-node-errors-menu_1')).toContainText('timeoutSec');
    await expect(page.getByTestId('ivr-field-timeoutSec-issues')).toBeVisible();
    await page.screenshot({ path: test.info().outputPath('ivr-editor-error.png') });
    await page.getByTestId('ivr-field-timeoutSec').fill('8');
    await page.getByTestId('ivr-target-select-onFail').selectOption('goodbye');
    await expect(page.getByTestId('ivr-node-errors-menu_1')).toHaveCount(0);
    await expect(node('menu_1')).toHaveAttribute('data-status', 'warning'); // not reachable yet
    await page.getByTestId('ivr-node-set-start').click();
    await expect(node('menu_1')).toHaveAttribute('data-status', 'ok');
    await expect(node('menu_1')).toHaveAttribute('data-start', 'true');
    await expect(page.getByTestId('ivr-issues')).toHaveAttribute('data-errors', '0');
    await expect(page.getByTestId('ivr-issues')).toHaveAttribute('data-warnings', '0');
    await expect(page.locator('.svelte-flow__edge')).toHaveCount(4);

    // A node dragged from the palette onto the canvas, then removed with the Delete key.
    const canvas = (await page.getByTestId('ivr-canvas').boundingBox())!;
    await page.getByTestId('ivr-palette-collect').dragTo(page.getByTestId('ivr-canvas'), { targetPosition: { x: 60, y: canvas.height - 120 } });
    await expect(node('collect_1')).toHaveAttribute('data-status', 'error');
    await expect(page.getByTestId('ivr-node-form')).toHaveAttribute('data-node', 'collect_1');
    await page.keyboard.press('Delete');
    await expect(node('collect_1')).toHaveCount(0);
    await expect(page.getByTestId('ivr-issues')).toHaveAttribute('data-errors', '0');
    await page.screenshot({ path: test.info().outputPath('ivr-editor-built.png') });
  });

  test('the dry run walks the flow with typed keys, showing the path and what the caller hears', async () => {
    await page.getByTestId('locale-select').selectOption('en');
    await expect(page.getByTestId('ivr-tab-dry')).toHaveText('Dry run');
    await page.getByTestId('ivr-tab-dry').click();
    const outcome = page.getByTestId('ivr-dry-outcome');
    await expect(outcome).toHaveAttribute('data-outcome', 'waiting');
    await expect(outcome).toContainText('Waiting for keys at menu_1');
    await expect(page.getByTestId('ivr-dry-transcript')).toContainText('欢迎词请按1，结束请按0。');

    await page.getByTestId('ivr-dry-keys').fill('1');
    await page.getByTestId('ivr-dry-keys').press('Enter');
    await expect(outcome).toHaveAttribute('data-outcome', 'hangup');
    await expect(page.locator('[data-testid="ivr-dry-path"] li')).toHaveText(['menu_1', 'welcome', 'goodbye']);
    await expect(page.getByTestId('ivr-dry-transcript').locator('li[data-kind="tts"]')).toHaveText([/欢迎词请按1/, /您好，欢迎致电。/]);
    await expect(page.getByTestId('ivr-dry-transcript')).toContainText('choice:1');
    await expect(node('welcome')).toHaveAttribute('data-visits', '1');
    await expect(node('goodbye')).toHaveAttribute('data-current', 'true');
    await expect(page.locator('.svelte-flow__edge.dry-edge')).toHaveCount(2);
    await expect(page.getByTestId('ivr-dry-var-caller_number')).toContainText('13800138000');
    await page.screenshot({ path: test.info().outputPath('ivr-editor-dry-run.png') });

    // Start over: two wrong keys and a timeout use up the retries and leave by onFail.
    await page.getByTestId('ivr-dry-reset').click();
    await page.getByTestId('ivr-dry-caller').fill('02112345678');
    for (const k of ['5', '7']) {
      await page.getByTestId('ivr-dry-keys').fill(k);
      await page.getByTestId('ivr-dry-send').click();
    }
    await expect(outcome).toHaveAttribute('data-outcome', 'waiting');
    await page.getByTestId('ivr-dry-timeout').click();
    await expect(outcome).toHaveAttribute('data-outcome', 'hangup');
    await expect(page.locator('[data-testid="ivr-dry-path"] li')).toHaveText(['menu_1', 'goodbye']);
    await expect(page.getByTestId('ivr-dry-transcript')).toContainText('fail (timeout)');
    await expect(page.getByTestId('ivr-dry-var-caller_number')).toContainText('02112345678');
    await expect(node('welcome')).toHaveAttribute('data-visits', '0');
  });

  test('publishing saves the draft and makes it version 1; the API has the definition drawn', async () => {
    await page.getByTestId('ivr-publish').click();
    await expect(page.getByTestId('ivr-editor-state')).toHaveAttribute('data-published', '1');
    await expect(page.getByTestId('ivr-editor-state')).toHaveAttribute('data-dirty', 'false');
    const summary = await api(platform.baseUrl, cookie, 'GET', `/api/ivr/flows/${flowId}`);
    expect(summary).toMatchObject({ name: '余额查询', publishedVersion: 1, draftVersion: null });
    const { definition } = await api(platform.baseUrl, cookie, 'GET', `/api/ivr/flows/${flowId}/versions/1`);
    expect(definition.start).toBe('menu_1');
    expect(definition.nodes.menu_1).toMatchObject({
      type: 'menu',
      prompt: { tts: { 'zh-CN': '欢迎词请按1，结束请按0。' } },
      choices: { '1': 'welcome', '0': 'goodbye' },
      onFail: 'goodbye',
      timeoutSec: 8,
    });
    expect(definition.nodes.menu_1.ui).toEqual({ x: expect.any(Number), y: expect.any(Number) });
    expect(definition.nodes.welcome).toMatchObject({ type: 'play', next: 'goodbye' });
    expect(Object.keys(definition.nodes).sort()).toEqual(['goodbye', 'menu_1', 'welcome']);
    // The server's own dry run agrees with the browser's.
    const dry = await api(platform.baseUrl, cookie, 'POST', '/api/ivr/dry-run', { definition, script: ['1'] });
    expect(dry.path).toEqual(['menu_1', 'welcome', 'goodbye']);
  });

  test('a second version is published, then rolled back to version 1 in one click; a version exports and imports', async () => {
    await node('welcome').click();
    await page.getByTestId('ivr-tab-properties').click();
    await expect(page.getByTestId('ivr-node-form')).toHaveAttribute('data-node', 'welcome');
    await page.getByTestId('ivr-field-prompt-zh-CN').fill('您好，这是第二版。');
    await expect(page.getByTestId('ivr-editor-state')).toHaveAttribute('data-dirty', 'true');
    await page.getByTestId('ivr-save').click();
    await expect(page.getByTestId('ivr-editor-state')).toHaveAttribute('data-draft', '2');
    await page.getByTestId('ivr-publish').click();
    await expect(page.getByTestId('ivr-editor-state')).toHaveAttribute('data-published', '2');
    expect((await api(platform.baseUrl, cookie, 'GET', `/api/ivr/flows/${flowId}/versions/2`)).definition.nodes.welcome.prompt.tts['zh-CN']).toBe('您好，这是第二版。');

    await page.getByTestId('ivr-tab-versions').click();
    await expect(page.getByTestId('ivr-version-2')).toHaveAttribute('data-live', 'true');
    await page.getByTestId('ivr-version-rollback-1').click();
    await expect(page.getByTestId('ivr-version-1')).toHaveAttribute('data-live', 'true');
    const afterRollback = await api(platform.baseUrl, cookie, 'GET', `/api/ivr/flows/${flowId}`);
    expect(afterRollback).toMatchObject({ publishedVersion: 1, draftVersion: null });
    expect(afterRollback.versions.map((v: { status: string }) => v.status)).toEqual(['published', 'published']);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('ivr-version-export-1').click()]);
    expect(download.suggestedFilename()).toBe('余额查询-v1.json');
    const file = await download.path();
    const exported = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(exported).toEqual((await api(platform.baseUrl, cookie, 'GET', `/api/ivr/flows/${flowId}/versions/1`)).definition);

    // Version 1 opened in the editor (to edit it as the next draft): unsaved, so closing asks first.
    await page.getByTestId('ivr-version-load-1').click();
    await expect(node('welcome')).toContainText('您好，欢迎致电。');
    await expect(page.getByTestId('ivr-editor-state')).toHaveAttribute('data-dirty', 'true');
    await page.getByTestId('ivr-editor-close').click();
    await expect(page.getByTestId('ivr-confirm-close')).toBeVisible();
    await page.getByTestId('ivr-confirm-close-yes').click();
    await expect(page.getByTestId('ivr-editor')).toHaveCount(0);
    await expect(page.getByTestId(`ivr-flow-row-${flowId}`)).toHaveAttribute('data-published', '1');
    expect(await api(platform.baseUrl, cookie, 'GET', `/api/ivr/flows/${flowId}`)).toMatchObject({ publishedVersion: 1, draftVersion: null });

    // A broken file is refused in the browser, naming the node and field; the exported one becomes a new flow.
    const broken = structuredClone(exported);
    broken.nodes.menu_1.choices['1'] = 'nowhere';
    const brokenPath = test.info().outputPath('broken-flow.json');
    fs.writeFileSync(brokenPath, JSON.stringify(broken));
    await page.getByTestId('ivr-flow-import-file').setInputFiles(brokenPath);
    await expect(page.getByTestId('ivr-flow-import-errors')).toContainText("menu_1: choices.1 points to missing node “nowhere”");
    await page.getByTestId('ivr-flow-name').fill('导入的流程');
    await page.getByTestId('ivr-flow-import-file').setInputFiles(file);
    await expect(page.getByTestId('ivr-editor')).toBeVisible();
    const importedId = (await page.getByTestId('ivr-editor').getAttribute('data-flow-id'))!;
    expect(importedId).not.toBe(flowId);
    await expect(node('menu_1')).toHaveAttribute('data-status', 'ok');
    const imported = await api(platform.baseUrl, cookie, 'GET', `/api/ivr/flows/${importedId}/versions/1`);
    expect(imported.definition).toEqual(exported);
    await page.screenshot({ path: test.info().outputPath('ivr-editor.png') });
    const flows = await api(platform.baseUrl, cookie, 'GET', '/api/ivr/flows');
    expect(flows.map((f: { name: string }) => f.name).sort()).toEqual(['余额查询', '导入的流程'].sort());
  });

  test('the statistics overlay shows what live calls did at each node', async () => {
    const probe = await fetch(`${platform.baseUrl}/api/ivr/flows/${flowId}/statistics`, { headers: { cookie } });
    test.skip(probe.status === 404, 'the server offers no IVR statistics');
    // Two calls as the IVR runtime records them: one pressed 1 and heard the greeting, one hung up at the menu.
    const sql = postgres(platform.pgUrl, { max: 1 });
    try {
      const [flow] = await sql<{ organization_id: string }[]>`select organization_id from ivr_flows where id = ${flowId}`;
      const [a, b] = [randomUUID(), randomUUID()];
      const row = (call: string, event: string, node: string, extra: { branch?: string; outcome?: string } = {}) => ({
        organization_id: flow!.organization_id, flow_id: flowId, flow_version: 1, call_uuid: call, event, node,
        branch: extra.branch ?? null, outcome: extra.outcome ?? null, handed_off: extra.outcome ? false : null,
      });
      await sql`insert into ivr_node_events ${sql([
        row(a, 'node_entered', 'menu_1'), row(a, 'node_exited', 'menu_1', { branch: 'choice:1' }),
        row(a, 'node_entered', 'welcome'), row(a, 'node_exited', 'welcome', { branch: 'next' }),
        row(a, 'node_entered', 'goodbye'), row(a, 'node_exited', 'goodbye', { branch: 'hangup' }), row(a, 'run_ended', 'goodbye', { outcome: 'hangup' }),
        row(b, 'node_entered', 'menu_1'), row(b, 'node_exited', 'menu_1', { branch: 'caller_hangup' }), row(b, 'run_ended', 'menu_1', { outcome: 'caller_hangup' }),
      ])}`;
    } finally {
      await sql.end();
    }
    await page.getByTestId('ivr-editor-close').click();
    await page.getByTestId(`ivr-flow-open-${flowId}`).click();
    await expect(page.getByTestId('ivr-stats-runs')).toHaveAttribute('data-runs', '2');
    await expect(page.getByTestId('ivr-stats-rate')).toHaveAttribute('data-rate', '1');
    await expect(page.getByTestId('ivr-node-stats-menu_1')).toHaveAttribute('data-visits', '2');
    await expect(page.getByTestId('ivr-node-stats-menu_1')).toHaveAttribute('data-hangups', '1');
    await expect(page.getByTestId('ivr-exit-menu_1-choices.1')).toHaveText('1');
    await expect(page.getByTestId('ivr-exit-menu_1-choices.0')).toHaveText('0');
    await expect(page.getByTestId('ivr-node-stats-welcome')).toHaveAttribute('data-visits', '1');
    await page.screenshot({ path: test.info().outputPath('ivr-editor-statistics.png') });
    await page.getByTestId('ivr-stats-toggle').uncheck();
    await expect(page.getByTestId('ivr-node-stats-menu_1')).toHaveCount(0);
    console.log('tier 1 ivr editor: statistics overlay shows 2 runs, self-service rate 100 %, menu_1 visited 2 times with 1 hang-up');
  });
});
