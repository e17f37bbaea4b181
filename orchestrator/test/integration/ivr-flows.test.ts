import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContactCenter } from '../../src/platform/contact-center.ts';
import { FakeFreeswitch } from '../esl-peer/fake-freeswitch.ts';
import { createTestDatabase } from '../support/db.ts';
import { ADMIN, ApiClient, startCenter } from '../support/harness.ts';

const fixture = (name: string) => JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '..', 'fixtures', 'ivr', name), 'utf8')) as Record<string, unknown>;

/** Versioned IVR flows over the API: validate, draft, publish (immutable), roll back, export, dry run. */
describe('IVR flows API', () => {
  let fsw: FakeFreeswitch;
  let center: ContactCenter;
  let admin: ApiClient;

  beforeAll(async () => {
    fsw = new FakeFreeswitch();
    center = await startCenter({ databaseUrl: await createTestDatabase(), eslPort: await fsw.listen() });
    admin = new ApiClient(center.url);
    await admin.login(ADMIN.login, ADMIN.password);
  });
  afterAll(async () => {
    await center?.stop();
    await fsw?.close();
  });

  it('refuses an invalid flow, naming the node and field', async () => {
    const bad = fixture('good/language-choice.json');
    (bad.nodes as Record<string, Record<string, unknown>>).welcome!.next = 'nowhere';
    const r = await admin.request('POST', '/api/ivr/flows', { name: 'Bad', definition: bad });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('invalid_flow');
    expect(r.body.error.issues).toContainEqual({ path: 'welcome', message: expect.stringMatching(/node welcome: next points to missing node 'nowhere'/) });
  });

  it('drafts, publishes, edits a new draft, publishes again and rolls back; published versions never change', async () => {
    const v1 = fixture('good/language-choice.json');
    const created = await admin.request('POST', '/api/ivr/flows', { name: '国际客服', definition: v1 });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ draftVersion: 1, publishedVersion: null });
    const id = created.body.id as string;
    expect((await admin.request('POST', `/api/ivr/flows/${id}/publish`)).body).toMatchObject({ publishedVersion: 1, draftVersion: null });
    expect((await admin.request('POST', `/api/ivr/flows/${id}/publish`)).status).toBe(409);

    const v2 = structuredClone(v1);
    (v2.nodes as Record<string, Record<string, unknown>>).choose_language!.timeoutSec = 9;
    expect((await admin.request('PUT', `/api/ivr/flows/${id}/draft`, { definition: v2 })).body.version).toBe(2);
    expect((await admin.request('POST', `/api/ivr/flows/${id}/publish`)).body).toMatchObject({ publishedVersion: 2 });
    expect((await admin.request('GET', `/api/ivr/flows/${id}/versions/1`)).body.definition).toEqual(v1);
    expect(((await admin.request('GET', `/api/ivr/flows/${id}/versions/2`)).body.definition.nodes.choose_language.timeoutSec)).toBe(9);

    const rolled = await admin.request('POST', `/api/ivr/flows/${id}/rollback`, { version: 1 });
    expect(rolled.body).toMatchObject({ publishedVersion: 1 });
    expect((await admin.request('POST', `/api/ivr/flows/${id}/rollback`, { version: 7 })).status).toBe(404);
    await expect(center.sql`update ivr_flow_versions set definition = '{}' where flow_id = ${id} and version = 1`).rejects.toThrow(/immutable/);
    const log = await center.sql`select action, details from audit_log where target = ${id} order by id`;
    expect(log.map((r) => r.action)).toEqual(['ivr.create', 'ivr.publish', 'ivr.save_draft', 'ivr.publish', 'ivr.rollback']);
    expect(log.at(-1)!.details).toEqual({ from: 2, to: 1 });
  });

  it('dry-runs a flow with typed keys and shows the path and what the caller would hear', async () => {
    const r = await admin.request('POST', '/api/ivr/dry-run', { definition: fixture('good/language-choice.json'), script: ['2'] });
    expect(r.status).toBe(200);
    expect(r.body.path.slice(0, 2)).toEqual(['choose_language', 'welcome']);
    expect(JSON.stringify(r.body.effects)).toContain('Welcome');
  });

  it('is for admins (supervisors read, agents nothing)', async () => {
    const agent = await admin.request('POST', '/api/agents', { login: 'ivr.agent', displayName: 'A', extension: '4901', password: 'agent-pass-1' });
    expect(agent.status).toBe(201);
    const client = new ApiClient(center.url);
    await client.login('ivr.agent', 'agent-pass-1');
    expect((await client.request('GET', '/api/ivr/flows')).status).toBe(403);
    expect((await client.request('POST', '/api/ivr/dry-run', { definition: {}, script: [] })).status).toBe(403);
  });
});
