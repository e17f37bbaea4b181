import { expect, test, type Page } from '@playwright/test';
import postgres from 'postgres';
import { ADMIN, startPlatform, type Platform } from '../support/platform.ts';

/**
 * Tier 1, in the real web app: an admin sets up an agent, a queue and a customer
 * through the admin pages; the agent logs in and clicks Ready; a call driven
 * through the ESL test peer pops the customer on the agent's screen; the call is
 * answered and ended, and the CDR row is written.
 */
test.describe.serial('login → Ready → offered call → screen pop (ESL test peer)', () => {
  let platform: Platform;
  let adminPage: Page;
  let agentPage: Page;
  let queueId = '';

  const peer = async (method: string, p: string, body?: unknown) => {
    const res = await fetch(platform.peerUrl! + p, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return res.json() as Promise<any>;
  };

  test.beforeAll(async ({ browser }) => {
    platform = await startPlatform({ freeswitch: 'peer' });
    adminPage = await (await browser.newContext()).newPage();
    agentPage = await (await browser.newContext()).newPage();
  });
  test.afterAll(async () => {
    await platform?.stop();
  });

  test('the admin logs in (zh-CN first) and sets up agent, queue, membership and customer', async () => {
    await adminPage.goto(platform.baseUrl);
    await expect(adminPage.getByTestId('locale-select')).toHaveValue('zh-CN');
    await expect(adminPage.getByTestId('login-submit')).toHaveText('登录');
    await adminPage.getByTestId('login-input').fill(ADMIN.login);
    await adminPage.getByTestId('password-input').fill('wrong-password');
    await adminPage.getByTestId('login-submit').click();
    await expect(adminPage.getByTestId('login-error')).toBeVisible();
    await adminPage.getByTestId('password-input').fill(ADMIN.password);
    await adminPage.getByTestId('login-submit').click();
    await expect(adminPage.getByTestId('freeswitch-status')).toHaveAttribute('data-state', 'connected');

    await adminPage.getByTestId('agent-login').fill('zhang.wei');
    await adminPage.getByTestId('agent-name').fill('张伟');
    await adminPage.getByTestId('agent-extension').fill('1001');
    await adminPage.getByTestId('agent-password').fill('short');
    await adminPage.getByTestId('agent-submit').click();
    await expect(adminPage.getByTestId('form-error').first()).toContainText('password');
    await adminPage.getByTestId('agent-password').fill('agent-password-1');
    await adminPage.getByTestId('agent-submit').click();
    const agentRow = adminPage.locator('[data-testid^="agent-row-"][data-login="zhang.wei"]');
    await expect(agentRow).toBeVisible();
    const agentId = (await agentRow.getAttribute('data-testid'))!.replace('agent-row-', '');

    await adminPage.getByTestId('queue-name').fill('售后服务');
    await adminPage.getByTestId('queue-number').fill('4000');
    await adminPage.getByTestId('queue-submit').click();
    const queueRow = adminPage.locator('[data-testid^="queue-row-"][data-name="售后服务"]');
    await expect(queueRow).toBeVisible();
    queueId = (await queueRow.getAttribute('data-testid'))!.replace('queue-row-', '');
    await adminPage.getByTestId(`queue-member-${agentId}`).first().check();
    await adminPage.getByTestId(`queue-members-save-${queueId}`).click();
    await expect(adminPage.getByTestId(`queue-members-saved-${queueId}`)).toBeVisible();

    await adminPage.getByTestId('customer-name').fill('王小明');
    await adminPage.getByTestId('customer-phone').fill('+86 138 0013 8000');
    await adminPage.getByTestId('customer-company').fill('星光科技');
    await adminPage.getByTestId('customer-submit').click();
    await expect(adminPage.getByTestId('customers-table')).toContainText('王小明');
  });

  test('the agent logs in, switches to English, and clicks Ready', async () => {
    await agentPage.goto(platform.baseUrl);
    await agentPage.getByTestId('login-input').fill('zhang.wei');
    await agentPage.getByTestId('password-input').fill('agent-password-1');
    await agentPage.getByTestId('login-submit').click();
    await expect(agentPage.getByTestId('agent-status')).toHaveAttribute('data-state', 'not_ready');
    await expect(agentPage.getByTestId('agent-status')).toContainText('示忙');
    await agentPage.getByTestId('locale-select').selectOption('en');
    await expect(agentPage.getByTestId('agent-status')).toContainText('Not ready');
    await agentPage.getByTestId('btn-ready').click();
    await expect(agentPage.getByTestId('agent-status')).toHaveAttribute('data-state', 'ready');
  });

  test('a call from a known customer pops the customer on the agent screen; answer, hang up, CDR', async () => {
    await peer('POST', '/agents/1001/behaviour', { kind: 'manual' });
    const { uuid } = await peer('POST', '/calls', { callerNumber: '13800138000', did: '4000', callerName: 'Wang' });
    const card = agentPage.getByTestId('call-card');
    await expect(card).toHaveAttribute('data-call-id', uuid);
    await expect(agentPage.getByTestId('caller-number')).toHaveText('13800138000');
    await expect(agentPage.getByTestId('customer-name')).toHaveText('王小明');
    await expect(agentPage.getByTestId('call-queue')).toHaveText('售后服务');
    await expect(agentPage.getByTestId('agent-status')).toHaveAttribute('data-state', 'reserved');
    await agentPage.screenshot({ path: '../.data/e2e-results/screen-pop.png' });

    // The softphone's SIP leg is simulated by the peer here (real SIP is tier 2).
    await peer('POST', '/agents/1001/answer');
    await expect(agentPage.getByTestId('call-state')).toHaveAttribute('data-state', 'connected');
    await expect(agentPage.getByTestId('agent-status')).toHaveAttribute('data-state', 'on_call');
    await peer('POST', `/calls/${uuid}/hangup`);
    await expect(agentPage.getByTestId('call-state')).toHaveAttribute('data-state', 'ended');
    await expect(agentPage.getByTestId('agent-status')).toHaveAttribute('data-state', 'ready');

    const sql = postgres(platform.pgUrl, { max: 1 });
    try {
      await expect.poll(async () => (await sql`select outcome from cdrs where id = ${uuid}`)[0]?.outcome).toBe('answered');
      const [row] = await sql`select c.*, u.login from cdrs c join agents a on a.id = c.agent_id join users u on u.id = a.user_id where c.id = ${uuid}`;
      expect(row).toMatchObject({ caller_number: '13800138000', called_number: '4000', login: 'zhang.wei', hangup_cause: 'NORMAL_CLEARING' });
    } finally {
      await sql.end();
    }
  });

  test('a caller nobody knows shows as unknown', async () => {
    await peer('POST', '/agents/1001/behaviour', { kind: 'manual' });
    const { uuid } = await peer('POST', '/calls', { callerNumber: '02188889999', did: '4000' });
    await expect(agentPage.getByTestId('call-card')).toHaveAttribute('data-call-id', uuid);
    await expect(agentPage.getByTestId('unknown-caller')).toBeVisible();
    await peer('POST', `/calls/${uuid}/hangup`);
    await expect(agentPage.getByTestId('call-state')).toHaveAttribute('data-state', 'ended');
  });

  test('the supervisor live panel shows the queue and agent figures, pushed live', async () => {
    await adminPage.getByTestId('tab-live').click();
    await expect(adminPage.getByTestId(`live-queue-${queueId}`)).toBeVisible();
    await expect(adminPage.getByTestId(`live-offered-${queueId}`)).toHaveText('2');
    await expect(adminPage.getByTestId(`live-answered-${queueId}`)).toHaveText('1');
    await expect(adminPage.getByTestId(`live-abandoned-${queueId}`)).toHaveText('1');
    // A new caller waiting shows up without reloading (WebSocket push).
    await agentPage.getByTestId('btn-not-ready').click();
    await agentPage.getByTestId('not-ready-reason-break').click();
    await expect(agentPage.getByTestId('agent-status')).toHaveAttribute('data-state', 'not_ready');
    const { uuid } = await peer('POST', '/calls', { callerNumber: '13700000000', did: '4000' });
    await expect(adminPage.getByTestId(`live-waiting-${queueId}`)).toHaveText('1');
    await expect(adminPage.getByTestId(`live-offered-${queueId}`)).toHaveText('3');
    await adminPage.screenshot({ path: '../.data/e2e-results/live-panel.png' });
    await peer('POST', `/calls/${uuid}/hangup`);
    await expect(adminPage.getByTestId(`live-waiting-${queueId}`)).toHaveText('0');
    await expect(adminPage.getByTestId(`live-abandoned-${queueId}`)).toHaveText('2');
  });
});
