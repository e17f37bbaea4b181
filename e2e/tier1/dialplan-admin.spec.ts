import { expect, test, type Page } from '@playwright/test';
import { ADMIN, api, loginCookie, startPlatform, type Platform } from '../support/platform.ts';

/**
 * Tier 1, the 拨号计划 / Dialplan admin section of the web app: an admin adds an
 * inbound number, sees a validation error next to the field, tests a number,
 * and reverts a change from the history.
 */
test.describe.serial('dialplan admin in the web app (ESL test peer)', () => {
  let platform: Platform;
  let page: Page;
  let queueId = '';

  test.beforeAll(async ({ browser }) => {
    platform = await startPlatform({ freeswitch: 'peer' });
    const cookie = await loginCookie(platform.baseUrl, ADMIN.login, ADMIN.password);
    queueId = (await api(platform.baseUrl, cookie, 'POST', '/api/queues', { name: '售后服务', inboundNumber: '4000' })).id;
    page = await (await browser.newContext()).newPage();
    await page.goto(platform.baseUrl);
    await page.getByTestId('login-input').fill(ADMIN.login);
    await page.getByTestId('password-input').fill(ADMIN.password);
    await page.getByTestId('login-submit').click();
    await expect(page.getByTestId('dialplan-admin')).toBeVisible();
  });
  test.afterAll(async () => {
    await platform?.stop();
  });

  test('adds an inbound number to a queue; a clash with the queue\'s own number is shown at the field', async () => {
    await expect(page.getByTestId('dialplan-admin')).toContainText('拨号计划');
    await expect(page.getByTestId('dialplan-issues')).toHaveAttribute('data-errors', '0');
    await page.getByTestId('did-number').fill('4000');
    await page.getByTestId('did-target-kind').selectOption('queue');
    await page.getByTestId('did-target-queue').selectOption(queueId);
    await page.getByTestId('did-submit').click();
    await expect(page.getByTestId('field-error-did-number')).toContainText('4000 is already the inbound number of queue 售后服务');

    await page.getByTestId('did-number').fill('5000');
    await page.getByTestId('did-description').fill('售前热线');
    await page.getByTestId('did-submit').click();
    const row = page.locator('[data-testid^="did-row-"][data-number="5000"]');
    await expect(row).toBeVisible();
    await expect(row).toContainText('售后服务');
    await expect(page.getByTestId('did-saved')).toBeVisible();
  });

  test('an extension pointing at nothing is refused, naming the field', async () => {
    await page.getByTestId('ext-number').fill('8001');
    await page.getByTestId('ext-target-kind').selectOption('extension');
    await page.getByTestId('ext-target-extension').fill('8002');
    await page.getByTestId('ext-submit').click();
    await expect(page.getByTestId('field-error-ext-target')).toContainText('no extension or agent 8002');
    await expect(page.locator('[data-testid^="ext-row-"]')).toHaveCount(0);
  });

  test('the number tester says where a call goes', async () => {
    await page.getByTestId('dialplan-test-context').selectOption('public');
    await page.getByTestId('dialplan-test-number').fill('5000');
    await page.getByTestId('dialplan-test-submit').click();
    await expect(page.getByTestId('dialplan-test-result')).toHaveAttribute('data-kind', 'queue');
    await expect(page.getByTestId('dialplan-test-result')).toContainText('售后服务');
  });

  test('the history shows the change; reverting it removes the number', async () => {
    const created = page.locator('[data-testid^="revision-row-"][data-action="create"][data-kind="inboundNumbers"]');
    await expect(created).toHaveCount(1);
    const id = (await created.getAttribute('data-testid'))!.replace('revision-row-', '');
    await page.getByTestId(`revision-details-${id}`).click();
    await expect(page.getByTestId(`revision-diff-${id}`)).toContainText('"number": "5000"');
    await page.getByTestId(`revision-revert-${id}`).click();
    await expect(page.locator('[data-testid^="did-row-"][data-number="5000"]')).toHaveCount(0);
    await expect(page.getByTestId(`revision-reverted-${id}`)).toBeVisible();
    await page.getByTestId('locale-select').selectOption('en');
    await expect(page.getByTestId('revisions-section')).toContainText('Change history');
  });
});
