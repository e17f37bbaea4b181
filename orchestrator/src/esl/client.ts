import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import esl, { type Connection, type Event as ModeslEvent } from 'modesl';
import type { Logger } from 'pino';
import './modesl-hardening.ts';
import { fromModesl, type FsEvent } from './event.ts';
import { EslAuthError, EslDisconnectedError, EslNotConnectedError, EslTimeoutError } from './errors.ts';
import { nextBackoff, type BackoffPolicy } from './backoff.ts';
import { assertUuid, UnsafeCommandArgumentError } from './commands.ts';

export interface EslClientOptions {
  host: string;
  port: number;
  password: string;
  /** Event names to subscribe to, e.g. ['BACKGROUND_JOB', 'CHANNEL_ANSWER', 'CUSTOM', 'cc::enqueue']: CUSTOM and its subclasses last. */
  subscriptions: readonly string[];
  backoff: BackoffPolicy;
  logger: Logger;
}

/** The reply to an api or bgapi command: FreeSWITCH answers "+OK ..." / "-ERR ..." or free text. */
export interface ApiReply {
  readonly ok: boolean;
  readonly body: string;
}

export function toReply(body: string): ApiReply {
  return { ok: !body.startsWith('-ERR') && !body.startsWith('-USAGE'), body: body.trim() };
}

interface EslClientEvents {
  event: [FsEvent];
  connected: [];
  disconnected: [];
}

/**
 * The inbound Event Socket connection to FreeSWITCH: connects, authenticates,
 * subscribes, reconnects with backoff, and offers promise-based api/bgapi.
 * It knows nothing about calls; consumers listen to 'event', 'connected' and
 * 'disconnected' (on 'connected' they resynchronise their view of channels).
 */
export class EslClient extends EventEmitter<EslClientEvents> {
  private connection: Connection | undefined;
  private ready = false;
  private stopped = true;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly pending = new Set<() => void>();

  constructor(private readonly options: EslClientOptions) {
    super();
    const custom = options.subscriptions.indexOf('CUSTOM');
    if (custom !== -1 && options.subscriptions.slice(custom + 1).some((s) => !s.includes('::'))) {
      throw new Error('ESL subscriptions: CUSTOM must come last, followed only by subclasses');
    }
    if (!options.subscriptions.includes('BACKGROUND_JOB')) throw new Error('ESL subscriptions must include BACKGROUND_JOB (bgapi results)');
  }

  get isConnected(): boolean {
    return this.ready;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const conn = this.connection;
    this.connection = undefined;
    if (conn?.socket) {
      try {
        conn.socket.destroy();
      } catch {
        /* already gone */
      }
    }
    this.markDown();
  }

  /** Runs `api <command>` and resolves with FreeSWITCH's reply body. */
  api(command: string, timeoutMs = 5000): Promise<ApiReply> {
    const conn = this.requireConnection();
    return this.track(command, timeoutMs, (resolve) => {
      conn.api(command, (res: ModeslEvent) => resolve(toReply(res.getBody() ?? '')));
    });
  }

  /** Runs `bgapi <command>` and resolves with the BACKGROUND_JOB result. */
  bgapi(command: string, timeoutMs = 60_000): Promise<ApiReply> {
    const conn = this.requireConnection();
    const jobUuid = randomUUID();
    return this.track(command, timeoutMs, (resolve) => {
      conn.bgapi(command, '', jobUuid, (res: ModeslEvent) => resolve(toReply(res.getBody() ?? '')));
    });
  }

  /**
   * Queues a dialplan application on a channel (`sendmsg <uuid>` with call-command execute)
   * and resolves with FreeSWITCH's command reply (+OK, or -ERR invalid session id).
   * Its end arrives later as CHANNEL_EXECUTE_COMPLETE carrying `applicationUuid` as Application-UUID.
   */
  execute(channelUuid: string, application: string, argument: string, applicationUuid: string, timeoutMs = 5000): Promise<ApiReply> {
    const conn = this.requireConnection();
    const uuid = assertUuid(channelUuid);
    if (!/^[a-z_]{1,40}$/.test(application)) throw new UnsafeCommandArgumentError(`bad application name ${JSON.stringify(application)}`);
    if (/[\r\n]/.test(argument)) throw new UnsafeCommandArgumentError('application argument contains a line break');
    const headers = { 'call-command': 'execute', 'execute-app-name': application, 'execute-app-arg': argument, 'Event-UUID': assertUuid(applicationUuid) };
    return this.track(`sendmsg ${uuid} ${application}`, timeoutMs, (resolve) => {
      conn.sendRecv(`sendmsg ${uuid}`, headers, (res: ModeslEvent) => resolve(toReply(res.getHeader('Reply-Text') ?? '')));
    });
  }

  private requireConnection(): Connection {
    if (!this.ready || !this.connection) throw new EslNotConnectedError();
    return this.connection;
  }

  private track(command: string, timeoutMs: number, send: (resolve: (r: ApiReply) => void) => void): Promise<ApiReply> {
    return new Promise<ApiReply>((resolve, reject) => {
      const fail = (err: Error) => finish(() => reject(err));
      const timer = setTimeout(() => fail(new EslTimeoutError(command, timeoutMs)), timeoutMs);
      let done = false;
      const finish = (settle: () => void) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.pending.delete(onLost);
        settle();
      };
      const onLost = () => fail(new EslDisconnectedError(command));
      this.pending.add(onLost);
      send((reply) => finish(() => resolve(reply)));
    });
  }

  private connect(): void {
    const { host, port, password, logger } = this.options;
    const conn = new esl.Connection(host, port, password);
    this.connection = conn;
    const isCurrent = () => this.connection === conn;

    conn.on('error', (err: Error & { code?: string }) => {
      if (!isCurrent()) return;
      if (!err.code) {
        // modesl reports unparsable event bodies (e.g. broken JSON) as errors; the stream itself is still in sync.
        logger.warn({ err: err.message }, 'ignored malformed ESL frame');
        return;
      }
      const log = this.attempt === 0 ? logger.warn.bind(logger) : logger.debug.bind(logger);
      log({ err: err.message, host, port }, 'esl connection error');
      this.drop(conn);
    });
    conn.on('esl::end', () => {
      if (isCurrent()) this.drop(conn);
    });
    conn.on('esl::event::disconnect::notice', () => {
      if (isCurrent()) logger.warn('FreeSWITCH sent a disconnect notice');
    });
    conn.on('esl::event::auth::fail', () => {
      if (!isCurrent()) return;
      logger.error({ err: new EslAuthError('FreeSWITCH rejected the Event Socket password') }, 'esl auth failed');
      this.drop(conn);
    });
    conn.on('esl::ready', () => {
      if (!isCurrent()) return;
      conn.socket?.setKeepAlive(true, 10_000);
      // Not conn.events(): modesl appends its own required events at the end, and
      // FreeSWITCH reads every word after CUSTOM as a subclass. Our list names them itself.
      conn.sendRecv(`event json ${this.options.subscriptions.join(' ')}`, () => {
        if (!isCurrent()) return;
        if (!this.options.subscriptions.includes('CHANNEL_EXECUTE_COMPLETE')) conn.sendRecv('nixevent CHANNEL_EXECUTE_COMPLETE');
        this.attempt = 0;
        this.ready = true;
        logger.info({ host, port }, 'connected to FreeSWITCH event socket');
        this.emit('connected');
      });
    });
    conn.on('esl::event::**', (raw: ModeslEvent, headers: Record<string, unknown> | undefined) => {
      if (!isCurrent() || !this.ready) return;
      const contentType = headers?.['Content-Type'];
      if (contentType !== 'text/event-json' && contentType !== 'text/event-plain') return;
      let event: FsEvent;
      try {
        event = fromModesl(raw);
      } catch (err) {
        logger.warn({ err }, 'ignored malformed ESL event');
        return;
      }
      try {
        this.emit('event', event);
      } catch (err) {
        logger.error({ err, event: event.name }, 'ESL event handler failed');
      }
    });
  }

  private drop(conn: Connection): void {
    if (this.connection !== conn) return;
    this.connection = undefined;
    try {
      conn.socket?.destroy();
    } catch {
      /* ignore */
    }
    this.markDown();
    if (this.stopped) return;
    const delay = nextBackoff(this.options.backoff, this.attempt++);
    this.options.logger.debug({ delayMs: delay }, 'reconnecting to FreeSWITCH');
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  private markDown(): void {
    for (const lost of [...this.pending]) lost();
    this.pending.clear();
    if (this.ready) {
      this.ready = false;
      this.emit('disconnected');
    }
  }
}
