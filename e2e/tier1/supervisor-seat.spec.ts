import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import postgres from 'postgres';
import { ADMIN, api, loginCookie, startPlatform, type Platform } from '../support/platform.ts';
import { logIn as login } from '../support/agent.ts';


/**
 * Tier 1, the supervisor's seat (班长席) in the real web app with the ESL test peer:
 * a supervisor creates a wallboard (大屏幕) link, which opens in a browser with no
 * cookies and shows queues, waiting, service level, agents by state and today's
 * totals in zh-CN and English, pushed live as a call comes in and is answered;
 * the token is no login for anything else; revoking it in the seat turns the open
 * wallboard off. Then the supervisor forces an agent not ready (with a reason),
 * ready and logged out from the seat; the agent's page follows; all audited.
 */
test.describe.serial('supervisor seat: wallboard link and forced agent states (ESL test peer)', () => {
  let platform: Platform;
  let sql: postgres.Sql;
  let supervisorPage: Page;
  let agentPage: Page;
  let wallboardContext: BrowserContext;
  let wallboard: Page;
  let agentId = '';
  let queueId = '';
  let supervisorId = '';
  let wallboardUrl = '';
  let token = '';
  let tokenId = '';

  const peer = async (method: string, p: string, body?: unknown) => {
    const res = await fetch(platform.peerUrl! + p, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return res.json() as Promise<any>;
  };

  test.beforeAll(async ({ browser }: { browser: Browser }) => {
    platform = await startPlatform({ freeswitch: 'peer' });
    sql = postgres(platform.pgUrl, { max: 1, onnotice: () => {} });
    const cookie = await loginCookie(platform.baseUrl, ADMIN.login, ADMIN.password);
    agentId = (await api(platform.baseUrl, cookie, 'POST', '/api/agents', { login: 'zhao.lei', displayName: '赵磊', extension: '1301', password: 'agent-password-1' })).id;
    queueId = (await api(platform.baseUrl, cookie, 'POST', '/api/queues', { name: '售前咨询', inboundNumber: '4600', ringTimeoutSec: 20 })).id;
    await api(platform.baseUrl, cookie, 'PUT', `/api/queues/${queueId}/agents`, { agentIds: [agentId] });
    supervisorId = (await api(platform.baseUrl, cookie, 'POST', '/api/users', { login: 'ban.zhang', displayName: '王班长', password: 'super-password-1', role: 'supervisor' })).id;
    supervisorPage = await (await browser.newContext()).newPage();
    agentPage = await (await browser.newContext()).newPage();
    // The wall screen: its own context, no cookies, nobody logged in.
    wallboardContext = await browser.newContext();
  });
  test.afterAll(async () => {
    await sql?.end();
    await platform?.stop();
  });

  test('the agent logs in and is Ready; the supervisor opens the seat and creates a wallboard link', async () => {
    await login(agentPage, platform.baseUrl, 'zhao.lei', 'agent-password-1');
    await expect(agentPage.getByTestId('agent-status')).toHaveAttribute('data-state', 'not_ready');
    await agentPage.getByTestId('btn-ready').click();
    await expect(agentPage.getByTestId('agent-status')).toHaveAttribute('data-state', 'ready');

    await login(supervisorPage, platform.baseUrl, 'ban.zhang', 'super-password-1');
    await expect(supervisorPage.getByTestId('tab-supervision')).toHaveText('班长席');
    await supervisorPage.getByTestId('tab-supervision').click();
    await expect(supervisorPage.getByTestId('seat')).toBeVisible();
    await expect(supervisorPage.getByTestId(`seat-agent-${agentId}`)).toHaveAttribute('data-state', 'ready');
    await expect(supervisorPage.getByTestId(`seat-queue-${queueId}`)).toBeVisible();

    const tokens = supervisorPage.getByTestId('seat-wallboard-tokens');
    await expect(tokens.getByTestId('wallboard-token-create')).toBeDisabled();
    await tokens.getByTestId('wallboard-token-name').fill('三楼大屏');
    await tokens.getByTestId('wallboard-token-create').click();
    await expect(tokens.getByTestId('wallboard-token-created')).toBeVisible();
    wallboardUrl = (await tokens.getByTestId('wallboard-token-url').textContent())!.trim();
    expect(wallboardUrl).toMatch(new RegExp(`^${platform.baseUrl.replace(/[.]/g, '\\.')}/wallboard\\?token=wb_[a-z2-7]{32}$`));
    token = new URL(wallboardUrl).searchParams.get('token')!;
    const row = tokens.locator('[data-testid^="wallboard-token-"][data-revoked="false"]');
    await expect(row).toHaveCount(1);
    await expect(row).toContainText('三楼大屏');
    await expect(row).toContainText('ban.zhang');
    tokenId = (await row.getAttribute('data-testid'))!.replace('wallboard-token-', '');
    // Only its hash is stored.
    const [stored] = await sql`select name, token_hash, created_by from wallboard_tokens where id = ${tokenId}`;
    expect(stored).toMatchObject({ name: '三楼大屏', created_by: supervisorId });
    expect(stored!.token_hash).not.toContain(token);
  });

  test('the link opens with no login: queues, waiting, service level, agents by state, totals; zh-CN and English', async () => {
    expect(await wallboardContext.cookies()).toEqual([]);
    wallboard = await wallboardContext.newPage();
    await wallboard.goto(wallboardUrl);
    await expect(wallboard.getByTestId('wallboard')).toHaveAttribute('data-state', 'live');
    await expect(wallboard.getByTestId('wallboard-connection')).toHaveAttribute('data-connected', 'true');
    await expect(wallboard.getByTestId('login-submit')).toHaveCount(0);
    await expect(wallboard.locator('h1')).toHaveText('呼叫中心大屏幕');
    const queueRow = wallboard.getByTestId(`wallboard-queue-${queueId}`);
    await expect(queueRow).toContainText('售前咨询');
    await expect(wallboard.getByTestId(`wallboard-queue-waiting-${queueId}`)).toHaveText('0');
    await expect(wallboard.getByTestId('wallboard-waiting')).toHaveText('0');
    await expect(wallboard.getByTestId('wallboard-agents-ready')).toHaveText('1');
    await expect(wallboard.getByTestId('wallboard-agents-on_call')).toHaveText('0');
    await expect(wallboard.getByTestId('wallboard-offered')).toHaveText('0');
    await expect(wallboard.getByTestId('wallboard-answered')).toHaveText('0');
    await expect(wallboard.getByTestId('wallboard-abandoned')).toHaveText('0');
    // No call counted yet: no service level.
    await expect(wallboard.getByTestId('wallboard-sl')).not.toContainText('%');
    // Nothing but figures: no agent names on the wall.
    await expect(wallboard.getByTestId('wallboard')).not.toContainText('赵磊');

    await expect(wallboard.getByTestId('wallboard')).toContainText('服务水平');
    await wallboard.getByTestId('locale-select').selectOption('en');
    await expect(wallboard.locator('h1')).toHaveText('Call center wallboard');
    await expect(wallboard.getByTestId('wallboard')).toContainText('Service level');
    await expect(wallboard.getByTestId('wallboard')).toContainText('Waiting');
    await wallboard.getByTestId('locale-select').selectOption('zh-CN');
    await expect(wallboard.locator('h1')).toHaveText('呼叫中心大屏幕');
    await expect(wallboard.getByTestId('wallboard')).toContainText('排队');
  });

  test('a call through the ESL test peer shows on the wallboard without a reload (pushed): waiting, on call, answered, service level', async () => {
    // Marks this document: a reload would lose it.
    await wallboard.evaluate(() => ((window as unknown as { __noReload: number }).__noReload = 42));
    const t0 = Date.now();
    await peer('POST', '/agents/1301/behaviour', { kind: 'manual' });
    const { uuid } = await peer('POST', '/calls', { callerNumber: '13900139001', did: '4600' });
    await expect(wallboard.getByTestId('wallboard-offered')).toHaveText('1');
    const offeredMs = Date.now() - t0;
    await expect(wallboard.getByTestId(`wallboard-queue-waiting-${queueId}`)).toHaveText('1');
    await expect(wallboard.getByTestId('wallboard-waiting')).toHaveText('1');
    await expect(agentPage.getByTestId('call-card')).toHaveAttribute('data-call-id', uuid);

    const t1 = Date.now();
    await peer('POST', '/agents/1301/answer');
    await expect(wallboard.getByTestId('wallboard-agents-on_call')).toHaveText('1');
    const answeredMs = Date.now() - t1;
    await expect(wallboard.getByTestId('wallboard-answered')).toHaveText('1');
    await expect(wallboard.getByTestId('wallboard-waiting')).toHaveText('0');
    await expect(wallboard.getByTestId('wallboard-agents-ready')).toHaveText('0');
    await expect(wallboard.getByTestId('wallboard-sl')).toHaveText('100%');
    await expect(wallboard.getByTestId(`wallboard-queue-sl-${queueId}`)).toHaveText('100%');
    await wallboard.screenshot({ path: '../.data/e2e-results/wallboard.png' });

    await peer('POST', `/calls/${uuid}/hangup`);
    await expect(agentPage.getByTestId('agent-status')).toHaveAttribute('data-state', 'ready');
    await expect(wallboard.getByTestId('wallboard-agents-ready')).toHaveText('1');
    await expect(wallboard.getByTestId('wallboard-agents-on_call')).toHaveText('0');
    expect(await wallboard.evaluate(() => (window as unknown as { __noReload?: number }).__noReload)).toBe(42);
    const [cdr] = await sql`select outcome, queue_id from cdrs where id = ${uuid}`;
    expect(cdr).toMatchObject({ outcome: 'answered', queue_id: queueId });
    console.log(`tier 1 wallboard: offered call on the wall ${offeredMs} ms after it was placed, agent on call ${answeredMs} ms after answer (pushed, no reload)`);
  });

  test('the wallboard token is no login: every other route refuses it, as query, bearer, cookie or header', async () => {
    const base = platform.baseUrl;
    // It is valid for the wallboard's own data…
    const data = await fetch(`${base}/api/wallboard/data?token=${token}`);
    expect(data.status).toBe(200);
    expect(((await data.json()) as { queues: { queueId: string }[] }).queues.map((q) => q.queueId)).toEqual([queueId]);
    // …and for nothing else.
    const attempts: [string, RequestInit][] = [
      [`/api/agents?token=${token}`, {}],
      ['/api/agents', { headers: { authorization: `Bearer ${token}` } }],
      ['/api/agents', { headers: { cookie: `cc_session=${token}` } }],
      ['/api/agents', { headers: { 'x-wallboard-token': token } }],
      [`/api/metrics?token=${token}`, {}],
      ['/api/metrics', { headers: { authorization: `Bearer ${token}` } }],
      ['/api/me', { headers: { cookie: `cc_session=${token}` } }],
      ['/api/wallboard/tokens', { headers: { authorization: `Bearer ${token}` } }],
      [`/api/supervision/calls?token=${token}`, {}],
    ];
    const statuses = [];
    for (const [p, init] of attempts) statuses.push(`${p.split('?')[0]} ${(await fetch(base + p, init)).status}`);
    expect(statuses).toEqual(attempts.map(([p]) => `${p.split('?')[0]} 401`));
    // The softphone's WebSocket does not take it either.
    const ws = await wallboard.evaluate(
      (t) =>
        new Promise<string>((resolve) => {
          const s = new WebSocket(`ws://${location.host}/ws?token=${t}`);
          s.onmessage = (e) => resolve(`message ${String(e.data).slice(0, 40)}`);
          s.onclose = (e) => resolve(`closed ${e.code}`);
          setTimeout(() => resolve('timeout'), 5000);
        }),
      token,
    );
    expect(ws).toBe('closed 4401');
  });

  test('the supervisor revokes the link in the seat: the open wallboard says it is no longer valid, a reload shows no data', async () => {
    const tokens = supervisorPage.getByTestId('seat-wallboard-tokens');
    await tokens.getByTestId(`wallboard-token-revoke-${tokenId}`).click();
    await expect(tokens.getByTestId(`wallboard-token-${tokenId}`)).toHaveAttribute('data-revoked', 'true');
    await expect(tokens.getByTestId('wallboard-token-created')).toHaveCount(0);
    const t0 = Date.now();
    await expect(wallboard.getByTestId('wallboard')).toHaveAttribute('data-state', 'refused');
    const refusedMs = Date.now() - t0;
    await expect(wallboard.getByTestId('wallboard-refused')).toBeVisible();
    await expect(wallboard.getByTestId('wallboard-queues')).toHaveCount(0);
    await expect(wallboard.getByTestId('wallboard-offered')).toHaveCount(0);
    await wallboard.reload();
    await expect(wallboard.getByTestId('wallboard')).toHaveAttribute('data-state', 'refused');
    await expect(wallboard.getByTestId('wallboard-refused')).toContainText('无效');
    await expect(wallboard.getByTestId('wallboard-queues')).toHaveCount(0);
    await expect(wallboard.getByTestId('wallboard')).not.toContainText('售前咨询');
    expect((await fetch(`${platform.baseUrl}/api/wallboard/data?token=${token}`)).status).toBe(401);
    console.log(`tier 1 wallboard: revoked link refused on the open wallboard ${refusedMs} ms after the seat listed it as revoked`);
  });

  test('the supervisor forces the agent not ready with a reason, then ready, then logs them out; the agent page follows; audited', async () => {
    const row = supervisorPage.getByTestId(`seat-agent-${agentId}`);
    await expect(row).toHaveAttribute('data-state', 'ready');
    await expect(agentPage.getByTestId('agent-status')).toHaveAttribute('data-state', 'ready');

    // Not ready: the reason is required.
    await supervisorPage.getByTestId(`seat-force-not_ready-${agentId}`).click();
    const form = supervisorPage.getByTestId('seat-force-form');
    await expect(form).toBeVisible();
    await expect(form.getByTestId('seat-force-submit')).toBeDisabled();
    await form.getByTestId('seat-force-reason').fill('临时班组会议');
    await form.getByTestId('seat-force-submit').click();
    await expect(form).toHaveCount(0);
    await expect(agentPage.getByTestId('agent-status')).toHaveAttribute('data-state', 'not_ready');
    await expect(agentPage.getByTestId('agent-status-reason')).toHaveText('临时班组会议');
    await expect(row).toHaveAttribute('data-state', 'not_ready');
    await expect(supervisorPage.getByTestId(`seat-agent-reason-${agentId}`)).toHaveText('临时班组会议');
    await expect(supervisorPage.getByTestId(`seat-force-not_ready-${agentId}`)).toBeDisabled();

    // Ready.
    await supervisorPage.getByTestId(`seat-force-ready-${agentId}`).click();
    await supervisorPage.getByTestId('seat-force-reason').fill('排队积压，请置闲');
    await supervisorPage.getByTestId('seat-force-submit').click();
    await expect(agentPage.getByTestId('agent-status')).toHaveAttribute('data-state', 'ready');
    await expect(agentPage.getByTestId('agent-status-reason')).toHaveCount(0);
    await expect(row).toHaveAttribute('data-state', 'ready');

    // Log out.
    await supervisorPage.getByTestId(`seat-force-logged_out-${agentId}`).click();
    await supervisorPage.getByTestId('seat-force-reason').fill('下班未签出');
    await supervisorPage.getByTestId('seat-force-submit').click();
    await expect(agentPage.getByTestId('agent-status')).toHaveAttribute('data-state', 'logged_out');
    await supervisorPage.getByTestId('seat-show-logged-out').check();
    await expect(row).toHaveAttribute('data-state', 'logged_out');
    await supervisorPage.screenshot({ path: '../.data/e2e-results/supervisor-seat.png', fullPage: true });

    const rows = await sql`
      select a.action, a.target, a.details, u.login from audit_log a join users u on u.id = a.actor_user_id
      where a.action in ('agent.force_state', 'wallboard_token.create', 'wallboard_token.revoke') order by a.id`;
    expect(rows.map((r) => [r.login, r.action, r.target])).toEqual([
      ['ban.zhang', 'wallboard_token.create', tokenId],
      ['ban.zhang', 'wallboard_token.revoke', tokenId],
      ['ban.zhang', 'agent.force_state', agentId],
      ['ban.zhang', 'agent.force_state', agentId],
      ['ban.zhang', 'agent.force_state', agentId],
    ]);
    expect(rows.slice(2).map((r) => r.details)).toEqual([
      { from: 'ready', to: 'not_ready', reason: '临时班组会议' },
      { from: 'not_ready', to: 'ready', reason: '排队积压，请置闲' },
      { from: 'ready', to: 'logged_out', reason: '下班未签出' },
    ]);
    const log = await sql`select l.status, l.reason from agent_state_log l where l.agent_id = ${agentId} order by l.started_at desc limit 3`;
    expect(log.map((l) => [l.status, l.reason])).toEqual([['logged_out', null], ['ready', null], ['not_ready', '临时班组会议']]);
    console.log(`tier 1 supervisor seat: 3 forced states audited (${rows.slice(2).map((r) => r.details.to).join(' → ')})`);
  });
});
