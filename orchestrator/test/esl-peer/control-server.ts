/**
 * Runs the ESL test peer as a process, for browser tests: the peer listens for
 * the orchestrator's Event Socket connection on ESL_PEER_PORT, and a small JSON
 * API on CONTROL_PORT (127.0.0.1) lets a test drive it:
 *   POST /calls {callerNumber, did, callerName?}   -> {uuid}
 *   POST /calls/:uuid/hangup                        -> {}
 *   POST /ivr-calls {callerNumber, did, flowId}     -> {uuid}   (a caller reaching an IVR flow)
 *   POST /calls/:uuid/keys {keys}                   -> {}       (the caller presses keys)
 *   POST /agents/:extension/behaviour {kind, afterMs?}
 *   POST /agents/:extension/answer                  -> {uuid}
 *   GET  /state                                     -> {commands, channels, ringing}
 * It prints "ready <eslPort> <controlPort>" once both listen.
 */
import http from 'node:http';
import { FakeFreeswitch, type AgentBehaviour } from './fake-freeswitch.ts';

const fs = new FakeFreeswitch({ password: process.env.ESL_PEER_PASSWORD ?? 'ClueCon' });
const eslPort = await fs.listen(Number(process.env.ESL_PEER_PORT ?? 0));

function body(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => {
      try {
        resolve(data ? (JSON.parse(data) as Record<string, unknown>) : {});
      } catch (err) {
        reject(err as Error);
      }
    });
  });
}

const server = http.createServer(async (req, res) => {
  const send = (status: number, value: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(value));
  };
  try {
    const url = req.url ?? '';
    let m: RegExpExecArray | null;
    if (req.method === 'POST' && url === '/calls') {
      const b = await body(req);
      return send(200, { uuid: fs.placeInboundCall({ callerNumber: String(b.callerNumber), did: String(b.did), callerName: b.callerName ? String(b.callerName) : undefined }) });
    }
    if (req.method === 'POST' && url === '/ivr-calls') {
      const b = await body(req);
      return send(200, { uuid: fs.placeIvrCall({ callerNumber: String(b.callerNumber), did: String(b.did), flowId: String(b.flowId) }) });
    }
    if (req.method === 'POST' && (m = /^\/calls\/([^/]+)\/keys$/.exec(url))) {
      fs.pressKeys(m[1]!, String((await body(req)).keys ?? ''));
      return send(200, {});
    }
    if (req.method === 'POST' && (m = /^\/calls\/([^/]+)\/hangup$/.exec(url))) {
      fs.hangup(m[1]!);
      return send(200, {});
    }
    if (req.method === 'POST' && (m = /^\/agents\/([^/]+)\/behaviour$/.exec(url))) {
      fs.setAgentBehaviour(m[1]!, (await body(req)) as unknown as AgentBehaviour);
      return send(200, {});
    }
    if (req.method === 'POST' && (m = /^\/agents\/([^/]+)\/answer$/.exec(url))) {
      return send(200, { uuid: fs.answerOffer(m[1]!) });
    }
    if (req.method === 'POST' && url === '/load') {
      // Places `calls` calls at `ratePerSec`; callers hang up `talkMs` after being bridged.
      const b = await body(req);
      const calls = Number(b.calls);
      const ratePerSec = Number(b.ratePerSec);
      fs.hangupAfterBridgeMs = Number(b.talkMs ?? 0);
      fs.defaultBehaviour = { kind: 'answer', afterMs: Number(b.answerMs ?? 0) };
      const start = Date.now();
      let placed = 0;
      const tick = setInterval(() => {
        const due = Math.min(calls, Math.floor(((Date.now() - start) / 1000) * ratePerSec) + 1);
        for (; placed < due; placed++) fs.placeInboundCall({ callerNumber: `1${String(placed).padStart(10, '0')}`, did: String(b.did) });
        if (placed >= calls) clearInterval(tick);
      }, 5);
      return send(200, { started: start });
    }
    if (req.method === 'GET' && url === '/counters') return send(200, fs.counters);
    if (req.method === 'GET' && url === '/state') {
      return send(200, { commands: fs.commands, channels: [...fs.channels.keys()], ringing: fs.ringingOffers(), connected: fs.connectedClients });
    }
    send(404, { error: 'no such route' });
  } catch (err) {
    send(400, { error: String(err) });
  }
});
server.listen(Number(process.env.CONTROL_PORT ?? 0), '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  process.stdout.write(`ready ${eslPort} ${port}\n`);
});
const stop = async () => {
  server.close();
  await fs.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
