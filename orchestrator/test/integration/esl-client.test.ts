import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { EslClient } from '../../src/esl/client.ts';
import { EslNotConnectedError } from '../../src/esl/errors.ts';
import type { FsEvent } from '../../src/esl/event.ts';
import { FakeFreeswitch } from '../esl-peer/fake-freeswitch.ts';
import { eventJson } from '../esl-peer/wire.ts';
import { waitFor } from '../support/wait.ts';

const logger = pino({ level: 'silent' });
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(password = 'ClueCon') {
  const fs = new FakeFreeswitch({ password: 'ClueCon' });
  const port = await fs.listen();
  const esl = new EslClient({
    host: '127.0.0.1', port, password,
    subscriptions: ['BACKGROUND_JOB', 'CHANNEL_HANGUP_COMPLETE', 'CUSTOM', 'cc::enqueue'],
    backoff: { initialMs: 50, maxMs: 200 }, logger,
  });
  const events: FsEvent[] = [];
  esl.on('event', (e) => events.push(e));
  cleanups.push(() => fs.close(), () => esl.stop());
  return { fs, esl, events, port };
}

describe('EslClient against the ESL test peer', () => {
  it('authenticates, subscribes, runs api and bgapi', async () => {
    const { fs, esl } = await setup();
    let connected = 0;
    esl.on('connected', () => connected++);
    esl.start();
    await waitFor(() => esl.isConnected, 3000, 'connection');
    expect(connected).toBe(1);
    const status = await esl.api('status');
    expect(status.ok).toBe(true);
    expect(status.body).toMatch(/is ready/);
    expect((await esl.api('uuid_kill 00000000-0000-4000-8000-000000000000')).body).toBe('-ERR No such channel!');
    const job = await esl.bgapi('status');
    expect(job.body).toMatch(/^UP /);
    expect(fs.commands).toEqual(['status', 'uuid_kill 00000000-0000-4000-8000-000000000000', 'status']);
  });

  it('delivers subscribed events and not others; CUSTOM subclasses are filtered', async () => {
    const { fs, esl, events } = await setup();
    esl.start();
    await waitFor(() => fs.connectedClients === 1 && esl.isConnected);
    const uuid = fs.placeInboundCall({ callerNumber: '13800138000', did: '4000' });
    fs.hangup(uuid, 'NORMAL_CLEARING');
    await waitFor(() => events.length >= 2);
    expect(events.map((e) => e.name)).toEqual(['CUSTOM', 'CHANNEL_HANGUP_COMPLETE']);
    expect(events[0]!.subclass).toBe('cc::enqueue');
    expect(events[0]!.uuid).toBe(uuid);
    expect(events[0]!.headers.get('Caller-Caller-ID-Number')).toBe('13800138000');
    expect(events[1]!.headers.get('Hangup-Cause')).toBe('NORMAL_CLEARING');
  });

  it('survives malformed frames: bad percent-encoding, broken JSON, frames without Event-Name', async () => {
    const { fs, esl, events } = await setup();
    esl.start();
    await waitFor(() => fs.connectedClients === 1 && esl.isConnected);
    const inner = 'Event-Name: CHANNEL_HANGUP_COMPLETE\nUnique-ID: %E0%A4%A\n\n';
    fs.sendRaw(`Content-Length: ${inner.length}\nContent-Type: text/event-plain\n\n${inner}`);
    fs.sendRaw('Content-Length: 8\nContent-Type: text/event-json\n\n{"broken');
    fs.sendRaw(eventJson({ Nothing: 'here' }));
    fs.sendRaw('Content-Type: text/unknown-kind\n\n');
    fs.sendRaw(eventJson({ 'Event-Name': 'HEARTBEAT', 'Event-Info': 'System Ready' }));
    await waitFor(() => events.some((e) => e.name === 'HEARTBEAT'), 3000, 'heartbeat after garbage');
    expect(events.map((e) => e.name)).toContain('CHANNEL_HANGUP_COMPLETE');
    expect(events.find((e) => e.name === 'CHANNEL_HANGUP_COMPLETE')!.uuid).toBe('%E0%A4%A');
    expect(esl.isConnected).toBe(true);
    expect((await esl.api('status')).ok).toBe(true);
  });

  it('reconnects with backoff after the switch drops it, and fails pending commands', async () => {
    const { fs, esl } = await setup();
    let connected = 0;
    let disconnected = 0;
    esl.on('connected', () => connected++);
    esl.on('disconnected', () => disconnected++);
    esl.start();
    await waitFor(() => esl.isConnected);
    fs.setAgentBehaviour('1001', { kind: 'manual' });
    const pending = esl.bgapi('originate {origination_uuid=11111111-1111-4111-8111-111111111111}user/1001@cc.local &park()');
    await waitFor(() => fs.ringingOffers().length === 1);
    fs.dropConnections();
    await expect(pending).rejects.toThrow(/connection lost/);
    await waitFor(() => disconnected === 1);
    expect(() => esl.api('status')).toThrow(EslNotConnectedError);
    await waitFor(() => connected === 2, 3000, 'reconnect');
    expect((await esl.api('status')).ok).toBe(true);
  });

  it('keeps retrying when the password is wrong, without crashing', async () => {
    const { esl } = await setup('wrong');
    esl.start();
    await new Promise((r) => setTimeout(r, 400));
    expect(esl.isConnected).toBe(false);
  });
});
