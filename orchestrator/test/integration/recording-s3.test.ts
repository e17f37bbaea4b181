import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContactCenter } from '../../src/platform/contact-center.ts';
import { S3RecordingStorage } from '../../src/recording/storage.ts';
import { FakeFreeswitch } from '../esl-peer/fake-freeswitch.ts';
import { createTestDatabase } from '../support/db.ts';
import { ADMIN, ApiClient, startCenter, WsSession } from '../support/harness.ts';
import { freePort } from '../support/ports.ts';
import { waitFor } from '../support/wait.ts';

/**
 * Recording storage in an S3-compatible object store: s3rver (a real S3 HTTP
 * server on loopback) with path-style addressing, as MinIO deployments use.
 * The orchestrator uploads the finished capture, then streams it back through
 * the signed URL, with Range.
 */
interface S3rverInstance {
  run(): Promise<unknown>;
  close(): Promise<void>;
}
const S3rver = createRequire(import.meta.url)('s3rver') as new (o: object) => S3rverInstance;

describe('call recording in an S3-compatible object store', () => {
  let fsw: FakeFreeswitch;
  let center: ContactCenter;
  let s3: S3rverInstance;
  let dir: string;
  let endpoint: string;
  let admin: ApiClient;
  let agent: ApiClient;
  let ws: WsSession;
  let agentId: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-rec-s3-'));
    const port = await freePort();
    s3 = new S3rver({ port, address: '127.0.0.1', silent: true, directory: path.join(dir, 's3'), configureBuckets: [{ name: 'cc-recordings' }] });
    await s3.run();
    endpoint = `http://127.0.0.1:${port}`;
    fsw = new FakeFreeswitch();
    center = await startCenter({
      databaseUrl: await createTestDatabase(),
      eslPort: await fsw.listen(),
      env: {
        CC_DATA_DIR: path.join(dir, 'data'),
        CC_RECORDING_STORAGE: 's3',
        CC_RECORDING_S3_ENDPOINT: endpoint,
        CC_RECORDING_S3_BUCKET: 'cc-recordings',
        CC_RECORDING_S3_ACCESS_KEY_ID: 'S3RVER',
        CC_RECORDING_S3_SECRET_ACCESS_KEY: 'S3RVER',
        CC_RECORDING_S3_FORCE_PATH_STYLE: 'true',
      },
    });
    await waitFor(() => center.esl.isConnected, 5000, 'ESL connection');
    admin = new ApiClient(center.url);
    await admin.login(ADMIN.login, ADMIN.password);
    const q = (await admin.request('POST', '/api/queues', { name: 'S3 queue', inboundNumber: '4500', ringTimeoutSec: 10 })).body.id as string;
    agentId = (await admin.request('POST', '/api/agents', { login: 's3.agent', displayName: 's3.agent', extension: '1001', password: 'agent-pass-1' })).body.id;
    await admin.request('PUT', `/api/queues/${q}/agents`, { agentIds: [agentId] });
    await admin.request('PUT', `/api/recording-policies/queue/${q}`, { mode: 'all', startAt: 'agent_answer' });
    agent = new ApiClient(center.url);
    await agent.login('s3.agent', 'agent-pass-1');
    ws = await WsSession.open(center.url, agent.cookie);
    await ws.next('hello');
    ws.send({ type: 'agent.set_state', status: 'ready' });
    await waitFor(() => center.acd.allAgentStates().find((s) => s.agentId === agentId)?.status === 'ready', 5000, 'agent ready');
  });

  afterAll(async () => {
    ws?.close();
    await center?.stop();
    await fsw?.close();
    await s3?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('uploads the finished recording and plays it back from the store through a signed URL', async () => {
    const callId = fsw.placeInboundCall({ callerNumber: '13800138000', did: '4500' });
    const start = await waitFor(() => fsw.commands.find((c) => c.startsWith(`uuid_record ${callId} start `)), 5000, 'uuid_record start');
    const capture = start.split(' ')[3]!;
    await new Promise((r) => setTimeout(r, 400));
    fsw.hangup(callId);
    const row = await waitFor(async () => {
      const [r] = await center.sql`select * from recordings where call_id = ${callId}`;
      return r?.status === 'stored' ? r : null;
    }, 10_000, 'stored recording');
    expect(row).toMatchObject({ storage: 's3', channels: 2 });
    expect(fs.existsSync(capture)).toBe(false);

    // The object is in the bucket, byte for byte (read back with an independent client).
    const store = new S3RecordingStorage({ endpoint, bucket: 'cc-recordings', region: 'us-east-1', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', forcePathStyle: true });
    expect(await store.size(row.storage_key)).toBe(Number(row.size_bytes));
    const chunks: Buffer[] = [];
    for await (const c of await store.read(row.storage_key)) chunks.push(c as Buffer);
    expect(createHash('sha256').update(Buffer.concat(chunks)).digest('hex')).toBe(row.sha256);
    store.destroy();

    const pb = await agent.request('POST', `/api/recordings/${row.id}/playback`);
    expect(pb.status).toBe(200);
    const whole = await fetch(center.url + pb.body.url);
    expect(whole.status).toBe(200);
    expect(createHash('sha256').update(Buffer.from(await whole.arrayBuffer())).digest('hex')).toBe(row.sha256);
    const part = await fetch(center.url + pb.body.url, { headers: { range: 'bytes=0-43' } });
    expect(part.status).toBe(206);
    const header = Buffer.from(await part.arrayBuffer());
    expect(header.subarray(0, 4).toString()).toBe('RIFF');
    expect(header.length).toBe(44);
    console.log(`recording s3: ${row.size_bytes} bytes uploaded to ${row.storage_key}, ${row.duration_ms} ms, read back through the signed URL (whole + range)`);
  });
});
