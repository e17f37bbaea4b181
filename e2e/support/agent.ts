import { expect, type Browser, type Page } from '@playwright/test';
import path from 'node:path';
import { freePort, start, type Spawned } from './platform.ts';

/** Logs a page in through the login form and waits for the signed-in header. */
export async function logIn(page: Page, baseUrl: string, login: string, password: string): Promise<void> {
  await page.goto(baseUrl);
  await page.getByTestId('login-input').fill(login);
  await page.getByTestId('password-input').fill(password);
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('header-user-name')).toBeVisible();
}

/** Opens a browser agent, logs in and waits for the softphone to register. */
export async function openAgent(browser: Browser, baseUrl: string, login: string, password: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await logIn(page, baseUrl, login, password);
  await expect(page.getByTestId('sip-status')).toHaveAttribute('data-state', 'registered', { timeout: 20_000 });
  return page;
}

/** A sipp caller dialing `number` on the trunk port; it hangs up `holdMs` after FreeSWITCH answers. */
export async function sippCall(o: { trunkPort: number; number: string; holdMs: number; logDir: string; name: string }): Promise<Spawned> {
  const sipPort = await freePort();
  const mediaPort = 30000 + 2 * Math.floor(Math.random() * 4000);
  return start('sipp', [
    `127.0.0.1:${o.trunkPort}`, '-sn', 'uac', '-s', o.number, '-m', '1', '-d', String(o.holdMs),
    '-i', '127.0.0.1', '-p', String(sipPort), '-mp', String(mediaPort), '-rtp_echo', '-nostdin', '-timeout', '90s',
  ], {}, path.join(o.logDir, `sipp-${o.name}.log`));
}
