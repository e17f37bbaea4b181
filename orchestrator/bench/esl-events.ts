import net from 'node:net';
import { createRequire } from 'node:module';
import pino from 'pino';
import { EslClient } from '../src/esl/client.ts';
import { CALL_EVENT_SUBSCRIPTIONS, interpretEvent } from '../src/calls/signals.ts';
import { commandReply, eventJson, type EventBody } from '../test/esl-peer/wire.ts';

const require = createRequire(import.meta.url);
const templates = (require('../test/esl-peer/event-templates.json') as { events: Record<string, EventBody> }).events;

/**
 * How many FreeSWITCH events per second the ESL client consumes (parse,
 * normalise, interpret): a peer writes `count` real-sized events (the recorded
 * CHANNEL_HANGUP_COMPLETE, ~250 headers, and CHANNEL_CREATE) as fast as the
 * socket takes them.
 */
export async function runEslEventsBenchmark(count = 50_000): Promise<{ events: number; seconds: number; perSecond: number; mbPerSecond: number }> {
  const frames = [templates.CHANNEL_HANGUP_COMPLETE!, templates.CHANNEL_CREATE!].map((t) => Buffer.from(eventJson(t)));
  const server = net.createServer((socket) => {
    socket.write('Content-Type: auth/request\n\n');
    let buffer = '';
    socket.on('data', (d) => {
      buffer += d.toString();
      let i: number;
      while ((i = buffer.indexOf('\n\n')) !== -1) {
        const cmd = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        if (cmd.startsWith('auth')) socket.write(commandReply('+OK accepted'));
        else socket.write(commandReply(cmd.startsWith('event') ? '+OK event listener enabled json' : '+OK'));
      }
    });
    socket.on('error', () => undefined);
    server.emit('client', socket);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const esl = new EslClient({ host: '127.0.0.1', port, password: 'x', subscriptions: CALL_EVENT_SUBSCRIPTIONS, backoff: { initialMs: 100, maxMs: 100 }, logger: pino({ level: 'silent' }) });
  const socketReady = new Promise<net.Socket>((r) => server.once('client', r));
  const connected = new Promise<void>((r) => esl.once('connected', r));
  esl.start();
  const socket = await socketReady;
  await connected;
  let received = 0;
  let bytes = 0;
  const done = new Promise<void>((resolve) =>
    esl.on('event', (e) => {
      interpretEvent(e);
      if (++received === count) resolve();
    }),
  );
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const f = frames[i % frames.length]!;
    bytes += f.length;
    if (!socket.write(f)) await new Promise((r) => socket.once('drain', r));
  }
  await done;
  const seconds = (performance.now() - started) / 1000;
  await esl.stop();
  server.close();
  return { events: count, seconds, perSecond: Math.round(count / seconds), mbPerSecond: Math.round(bytes / seconds / 1e5) / 10 };
}
