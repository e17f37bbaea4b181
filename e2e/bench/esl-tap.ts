import net from 'node:net';

/**
 * A minimal inbound Event Socket client for benchmarks: its own TCP connection
 * to FreeSWITCH (independent of the orchestrator's), `api` commands, and
 * `event json` subscriptions. Events are handed over as parsed JSON objects.
 */
export interface EslTap {
  api(command: string): Promise<string>;
  subscribe(events: string): Promise<void>;
  /** `receivedAt`: performance.now() when the event's frame was read off the socket (ms). */
  onEvent(fn: (e: Record<string, string>, receivedAt: number) => void): void;
  close(): void;
}

interface Frame {
  headers: Record<string, string>;
  body: string;
}

export function connectEslTap(o: { host?: string; port: number; password: string; timeoutMs?: number }): Promise<EslTap> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: o.host ?? '127.0.0.1', port: o.port });
    socket.setNoDelay(true);
    let buf: Buffer = Buffer.alloc(0);
    const waiting: ((f: Frame) => void)[] = [];
    const listeners: ((e: Record<string, string>, receivedAt: number) => void)[] = [];
    let authed = false;
    let closed = false;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`ESL ${o.port}: no answer`));
    }, o.timeoutMs ?? 10_000);

    const send = (text: string) =>
      new Promise<Frame>((res, rej) => {
        if (closed) return rej(new Error('ESL connection closed'));
        waiting.push(res);
        socket.write(`${text}\n\n`);
      });

    const tap: EslTap = {
      async api(command) {
        return (await send(`api ${command}`)).body;
      },
      async subscribe(events) {
        const f = await send(`event json ${events}`);
        if (!(f.headers['Reply-Text'] ?? '').startsWith('+OK')) throw new Error(`event subscription refused: ${f.headers['Reply-Text']}`);
      },
      onEvent(fn) {
        listeners.push(fn);
      },
      close() {
        closed = true;
        socket.destroy();
      },
    };

    const onFrame = (f: Frame, receivedAt: number) => {
      const type = f.headers['Content-Type'];
      if (type === 'auth/request') {
        socket.write(`auth ${o.password}\n\n`);
        return;
      }
      if (!authed && type === 'command/reply') {
        clearTimeout(timer);
        if ((f.headers['Reply-Text'] ?? '').startsWith('+OK')) {
          authed = true;
          resolve(tap);
        } else {
          socket.destroy();
          reject(new Error(`ESL auth refused: ${f.headers['Reply-Text']}`));
        }
        return;
      }
      if (type === 'text/event-json') {
        let e: Record<string, string>;
        try {
          e = JSON.parse(f.body) as Record<string, string>;
        } catch {
          return;
        }
        for (const l of listeners) l(e, receivedAt);
        return;
      }
      if (type === 'command/reply' || type === 'api/response') waiting.shift()?.(f);
      if (type === 'text/disconnect-notice') closed = true;
    };

    socket.on('data', (chunk: Buffer) => {
      const receivedAt = performance.now();
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      for (;;) {
        const end = buf.indexOf('\n\n');
        if (end < 0) return;
        const headers: Record<string, string> = {};
        for (const line of buf.subarray(0, end).toString('utf8').split('\n')) {
          const i = line.indexOf(':');
          if (i <= 0) continue;
          const v = line.slice(i + 1).trim();
          try {
            headers[line.slice(0, i)] = decodeURIComponent(v);
          } catch {
            headers[line.slice(0, i)] = v;
          }
        }
        const len = Number(headers['Content-Length'] ?? 0);
        if (buf.length < end + 2 + len) return;
        const body = buf.subarray(end + 2, end + 2 + len).toString('utf8');
        buf = buf.subarray(end + 2 + len);
        onFrame({ headers, body }, receivedAt);
      }
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      if (!authed) reject(err);
    });
    socket.on('close', () => {
      closed = true;
    });
  });
}
