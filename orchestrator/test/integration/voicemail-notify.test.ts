import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, migrate, type Sql } from '../../src/db/client.ts';
import { VoicemailService, wavDurationMs } from '../../src/voicemail/voicemail-service.ts';
import { VoicemailStore } from '../../src/voicemail/voicemail-store.ts';
import { createTestDatabase } from '../support/db.ts';
import { pcmWavHeader } from '../../src/media/wav.ts';

const ORG = '00000000-0000-4000-8000-000000000001';

describe('voicemail notifications (real Postgres, a webhook on loopback)', () => {
  let sql: Sql;
  let dir: string;
  let server: http.Server;
  let url: string;
  let answers: number[] = [];
  const seen: unknown[] = [];

  beforeAll(async () => {
    sql = connect(await createTestDatabase());
    await migrate(sql);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-vm-'));
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        seen.push(JSON.parse(body));
        res.statusCode = answers.shift() ?? 200;
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    await sql.end();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const leave = async (service: VoicemailService, mailbox: string, callUuid: string) => {
    const file = path.join(dir, `${callUuid}.wav`);
    const pcm = Buffer.alloc(16000); // 1 s of 8 kHz 16-bit mono
    fs.writeFileSync(file, Buffer.concat([pcmWavHeader({ channels: 1, sampleRate: 8000, bitsPerSample: 16, dataBytes: pcm.length }), pcm]));
    return service.channelEnded(callUuid, { mailbox, file, recordMs: null, callerNumber: '13900001111', organizationId: ORG, data: { account: '42' } });
  };

  it('retries a failing webhook and records the success; gives up after the attempts and keeps the message with the error', async () => {
    const store = new VoicemailStore(sql);
    await store.saveBox(ORG, { mailbox: 'desk', description: '', webhookUrl: url, email: null });
    const service = new VoicemailService(store, ORG, { mailFrom: 'cc@test', attempts: 3, retryBaseMs: 20 }, pino({ level: 'silent' }));

    answers = [500, 503, 200];
    const first = await leave(service, 'desk', '6a1b2c3d-0000-4000-8000-000000000001');
    expect(first).toMatchObject({ mailbox: 'desk', durationMs: 1000, variables: { account: '42' } });
    await expect.poll(async () => (await sql`select notified_at, notify_error from voicemails where id = ${first!.id}`)[0], { timeout: 5000 }).toMatchObject({ notify_error: null, notified_at: expect.any(Date) });
    expect(seen).toHaveLength(3);

    answers = [500, 500, 500];
    const second = await leave(service, 'desk', '6a1b2c3d-0000-4000-8000-000000000002');
    await expect.poll(async () => (await sql`select notify_error from voicemails where id = ${second!.id}`)[0]?.notify_error, { timeout: 5000 }).toMatch(/webhook .*: webhook answered 500/);
    expect(seen).toHaveLength(6);
    // The same call's message is stored once; a call that recorded nothing stores nothing.
    expect(await service.channelEnded('6a1b2c3d-0000-4000-8000-000000000002', { mailbox: 'desk', file: path.join(dir, '6a1b2c3d-0000-4000-8000-000000000002.wav'), recordMs: 5, callerNumber: '', organizationId: ORG, data: {} })).toBeNull();
    expect(await service.channelEnded('6a1b2c3d-0000-4000-8000-000000000003', { mailbox: 'desk', file: path.join(dir, 'none.wav'), recordMs: 5, callerNumber: '', organizationId: ORG, data: {} })).toBeNull();
    expect((await sql`select count(*)::int as n from voicemails`)[0]!.n).toBe(2);
    expect(await wavDurationMs(path.join(dir, 'none.wav'))).toBeNull();
    expect(await wavDurationMs(path.join(dir, '6a1b2c3d-0000-4000-8000-000000000001.wav'))).toBe(1000);
  });
});
