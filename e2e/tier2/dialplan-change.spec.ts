import { expect, test } from '@playwright/test';
import postgres from 'postgres';
import fs from 'node:fs';
import path from 'node:path';
import { ADMIN, api, freePort, freeswitchBin, loginCookie, start, startPlatform, stopPid, type Platform, type Spawned } from '../support/platform.ts';

/**
 * Tier 2, the admins' dialplan on real FreeSWITCH: a change made through the API
 * (served by mod_xml_curl from PostgreSQL) routes the very next sipp call
 * differently, with no reload and no restart.
 */
test.describe.serial('tier 2: dialplan changes apply to the next call', () => {
  test.skip(!freeswitchBin(), 'tier 2 skipped: FreeSWITCH not found');
  let platform: Platform;
  let admin: string;
  let sql: postgres.Sql;
  let customerPort = 0;
  const processes: Spawned[] = [];
  const ids = {} as Record<'queueA' | 'queueB' | 'did', string>;
  const measured: string[] = [];
  const CALLER = '13900005555';

  /**
   * A sipp caller. Scenarios: 'answered' (stays holdMs, hangs up), 'rejected' (succeeds only on a 403 answer),
   * 'announced' (answered, succeeds only when FreeSWITCH hangs up).
   */
  const sipp = async (number: string, name: string, o: { holdMs?: number; scenario?: 'answered' | 'rejected' | 'announced' } = {}) => {
    const file = { answered: 'dialplan-caller.xml', rejected: 'dialplan-rejected.xml', announced: 'dialplan-announced.xml' }[o.scenario ?? 'answered'];
    const scenario = path.join(import.meta.dirname, '..', 'support', 'sipp', file);
    const p = start('sipp', [
      `127.0.0.1:${platform.ports.trunkSip}`, '-sf', scenario, '-s', number, '-key', 'caller', CALLER, '-m', '1', '-d', String(o.holdMs ?? 2000),
      '-i', '127.0.0.1', '-p', String(await freePort()), '-mp', String(30000 + 2 * Math.floor(Math.random() * 4000)),
      '-nostdin', '-timeout', '30s', '-timeout_error',
    ], {}, path.join(platform.dataDir, `sipp-${name}.log`));
    processes.push(p);
    return p;
  };
  const exited = async (p: Spawned) => {
    await expect.poll(() => p.child.exitCode, { timeout: 40_000 }).not.toBeNull();
    return p.child.exitCode;
  };
  const cdrCount = async () => Number((await sql`select count(*) as n from cdrs where called_number = '5600'`)[0]!.n);
  const lastCdrQueue = async () => (await sql`select queue_id from cdrs where called_number = '5600' order by enqueued_at desc limit 1`)[0]?.queue_id as string | undefined;
  const timed = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
    const t0 = performance.now();
    const value = await fn();
    return [value, Math.round(performance.now() - t0)];
  };

  test.beforeAll(async () => {
    // Outside numbers without a matching outbound route go through cc_outbound's static fallback: here a sipp "customer".
    customerPort = await freePort();
    platform = await startPlatform({ freeswitch: 'real', env: { CC_EXTERNAL_DIAL_PREFIX: 'sofia/trunks/', CC_EXTERNAL_DIAL_SUFFIX: `@127.0.0.1:${customerPort}` } });
    sql = postgres(platform.pgUrl, { max: 2 });
    admin = await loginCookie(platform.baseUrl, ADMIN.login, ADMIN.password);
    ids.queueA = (await api(platform.baseUrl, admin, 'POST', '/api/queues', { name: 'Dialplan A' })).id;
    ids.queueB = (await api(platform.baseUrl, admin, 'POST', '/api/queues', { name: 'Dialplan B' })).id;
    const did = await api(platform.baseUrl, admin, 'POST', '/api/dialplan/inbound-numbers', { number: '5600', target: { kind: 'queue', queueId: ids.queueA } });
    ids.did = did.item.id;
  });
  test.afterAll(async () => {
    for (const p of processes) await stopPid(p.child.pid, 2000);
    await sql?.end();
    await platform?.stop();
    if (measured.length > 0) console.log(`tier 2 dialplan: ${measured.join('; ')}`);
  });

  test('an inbound number changed through the API routes the very next call to the other queue', async () => {
    const first = await sipp('5600', 'did-queue-a');
    await expect.poll(cdrCount, { timeout: 20_000 }).toBe(1);
    expect(await lastCdrQueue()).toBe(ids.queueA);
    expect(await exited(first)).toBe(0);

    const [, changeMs] = await timed(() => api(platform.baseUrl, admin, 'PUT', `/api/dialplan/inbound-numbers/${ids.did}`, { number: '5600', target: { kind: 'queue', queueId: ids.queueB } }));
    // No pause, no reload: the next call.
    const [, enqueueMs] = await timed(async () => {
      const second = await sipp('5600', 'did-queue-b');
      await expect.poll(cdrCount, { timeout: 20_000 }).toBe(2);
      return second;
    });
    expect(await lastCdrQueue()).toBe(ids.queueB);
    measured.push(`call 1 → queue A; DID changed by the API in ${changeMs} ms; call 2 placed right after → queue B (in the queue ${enqueueMs} ms after dialing)`);
  });

  test('a blacklist entry rejects the next call with 403; reverting its revision lets the caller in again', async () => {
    const [entry, addMs] = await timed(() => api(platform.baseUrl, admin, 'POST', '/api/dialplan/blacklist', { number: CALLER, action: 'reject', reason: 'tier 2' }));
    const before = await cdrCount();
    const [code, rejectMs] = await timed(async () => exited(await sipp('5600', 'blacklisted', { scenario: 'rejected' })));
    expect(code).toBe(0); // the scenario only passes when FreeSWITCH answered 403
    expect(await cdrCount()).toBe(before); // never reached a queue
    const log = await sql`select action, details from audit_log where action = 'dialplan.blacklist.create' order by id desc limit 1`;
    expect(log[0]!.details.after.number).toBe(CALLER);

    const revisions = await api(platform.baseUrl, admin, 'GET', `/api/dialplan/revisions?itemId=${entry.item.id}`);
    const [, revertMs] = await timed(() => api(platform.baseUrl, admin, 'POST', `/api/dialplan/revisions/${revisions[0].id}/revert`));
    await sipp('5600', 'unblocked');
    await expect.poll(cdrCount, { timeout: 20_000 }).toBe(before + 1);
    expect(await lastCdrQueue()).toBe(ids.queueB);
    measured.push(`blacklist entry added in ${addMs} ms → next call answered 403 after ${rejectMs} ms; revert in ${revertMs} ms → next call in queue B`);
  });

  test('a blacklist entry with an announcement: the next caller is answered, hears it, and FreeSWITCH hangs up', async () => {
    const before = await cdrCount();
    const entry = await api(platform.baseUrl, admin, 'POST', '/api/dialplan/blacklist', { number: '1390000555X', action: 'announcement', reason: 'tier 2' });
    const [code, ms] = await timed(async () => exited(await sipp('5600', 'announced', { scenario: 'announced' })));
    expect(code).toBe(0); // answered, then hung up by FreeSWITCH (the scenario fails on anything else)
    expect(await cdrCount()).toBe(before);
    const log = fs.readFileSync(path.join(platform.dataDir, 'freeswitch', 'log', 'freeswitch.log'), 'utf8');
    expect(log).toContain('Processing Caller <13900005555>->cc_blacklisted in context cc_diversions');
    await api(platform.baseUrl, admin, 'DELETE', `/api/dialplan/blacklist/${entry.item.id}`);
    measured.push(`blacklist pattern with announcement → caller answered, announcement played, hung up by FreeSWITCH ${ms} ms after dialing`);
  });

  test('a number routed to an extension that dials out reaches the outside phone through cc_outbound', async () => {
    await api(platform.baseUrl, admin, 'POST', '/api/dialplan/extensions', { extension: '8601', target: { kind: 'external', number: '13900006666' } });
    await api(platform.baseUrl, admin, 'POST', '/api/dialplan/inbound-numbers', { number: '5601', target: { kind: 'extension', extension: '8601' } });
    const customer = start('sipp', ['-sn', 'uas', '-i', '127.0.0.1', '-p', String(customerPort), '-m', '1', '-nostdin', '-timeout', '40s', '-timeout_error'], {}, path.join(platform.dataDir, 'sipp-outside-phone.log'));
    processes.push(customer);
    const [codes, ms] = await timed(async () => {
      const caller = await sipp('5601', 'to-outside', { holdMs: 2000 });
      return [await exited(caller), await exited(customer)];
    });
    // Both ends completed their call: the caller was bridged to the outside phone, which got the BYE.
    expect(codes).toEqual([0, 0]);
    measured.push(`DID → extension → outside number (cc_outbound fallback): caller and outside phone both completed the call (sipp exit 0 and 0), ${ms} ms from dialing until both sipp runs ended`);
  });
});
