import net from 'node:net';
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { apiResponse, authRequest, commandReply, disconnectNotice, eventJson, eventPlain, type EventBody } from './wire.ts';

const require = createRequire(import.meta.url);
const templates = (require('./event-templates.json') as { events: Record<string, EventBody> }).events;

/**
 * An ESL test peer: a TCP server that speaks FreeSWITCH's Event Socket protocol
 * (auth, api, bgapi with Job-UUID, event subscriptions in json and plain, filters,
 * disconnect notices) over a small simulation of channels. Events are built from
 * real FreeSWITCH events recorded in ../shared/fixtures/esl. Tests drive it with
 * scenario methods (a caller dials in, a caller hangs up, an agent answers...).
 */

export type AgentBehaviour =
  | { kind: 'answer'; afterMs: number }
  | { kind: 'no_answer'; afterMs: number }
  | { kind: 'not_registered' }
  | { kind: 'manual' };

export interface FakeChannel {
  uuid: string;
  direction: 'inbound' | 'outbound';
  callerNumber: string;
  callerName: string;
  destination: string;
  context: string;
  application: string;
  createdAt: number;
  answered: boolean;
  bridgedTo: string | null;
  vars: Map<string, string>;
}

interface Subscription {
  format: 'json' | 'plain' | 'xml';
  all: boolean;
  names: Set<string>;
  subclasses: Set<string>;
}

interface Client {
  socket: net.Socket;
  authed: boolean;
  sub: Subscription | null;
  buffer: string;
}

interface PendingOffer {
  uuid: string;
  extension: string;
  jobUuid: string;
  client: Client;
  timer: NodeJS.Timeout | null;
}

export interface FakeFreeswitchOptions {
  password?: string;
}

export class FakeFreeswitch extends EventEmitter<{ command: [string] }> {
  readonly channels = new Map<string, FakeChannel>();
  readonly commands: string[] = [];
  private readonly clients = new Set<Client>();
  private readonly behaviours = new Map<string, AgentBehaviour>();
  private readonly pendingOffers = new Map<string, PendingOffer>();
  private server: net.Server | null = null;
  private sequence = 10_000;
  private readonly password: string;
  defaultBehaviour: AgentBehaviour = { kind: 'answer', afterMs: 30 };
  /** When set, a caller hangs up this long after being bridged to an agent (load tests). */
  hangupAfterBridgeMs: number | null = null;
  /** Counters for load tests. */
  readonly counters = { placed: 0, bridged: 0, hungUp: 0 };
  /** Files played to channels with uuid_broadcast. */
  readonly broadcasts: { uuid: string; file: string }[] = [];
  /** Hangup causes of channels that ended, by uuid. */
  readonly hangups = new Map<string, string>();

  constructor(options: FakeFreeswitchOptions = {}) {
    super();
    this.password = options.password ?? 'ClueCon';
  }

  async listen(port = 0): Promise<number> {
    this.server = net.createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    return (this.server.address() as net.AddressInfo).port;
  }

  get connectedClients(): number {
    return [...this.clients].filter((c) => c.authed && c.sub).length;
  }

  async close(): Promise<void> {
    this.dropConnections();
    for (const offer of this.pendingOffers.values()) if (offer.timer) clearTimeout(offer.timer);
    this.pendingOffers.clear();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = null;
  }

  /** Closes every client connection, as a FreeSWITCH restart would. */
  dropConnections(): void {
    for (const c of this.clients) c.socket.destroy();
    this.clients.clear();
  }

  /** Writes raw bytes to every authenticated client (for malformed-frame tests). */
  sendRaw(bytes: string | Buffer): void {
    for (const c of this.clients) if (c.authed) c.socket.write(bytes);
  }

  setAgentBehaviour(extension: string, behaviour: AgentBehaviour): void {
    this.behaviours.set(extension, behaviour);
  }

  // ---------------------------------------------------------------- scenario

  /** A caller dials an inbound number: the dialplan answers and fires cc::enqueue (see dialplans/cc_inbound.xml). */
  placeInboundCall(o: { callerNumber: string; callerName?: string; did: string; queueId?: string; vars?: Record<string, string> }): string {
    const ch = this.createChannel({
      direction: 'inbound',
      callerNumber: o.callerNumber,
      callerName: o.callerName ?? o.callerNumber,
      destination: o.did,
      context: 'cc_inbound',
    });
    ch.vars.set('cc_did', o.did);
    ch.vars.set('cc_entered', 'true');
    if (o.queueId) ch.vars.set('cc_queue_id', o.queueId);
    for (const [k, v] of Object.entries(o.vars ?? {})) ch.vars.set(k, v);
    ch.answered = true;
    this.emitChannelEvent('CHANNEL_ANSWER', ch);
    this.emitChannelEvent('CUSTOM', ch, { 'Event-Subclass': 'cc::enqueue', cc_did: o.did });
    ch.application = 'endless_playback';
    this.counters.placed++;
    return ch.uuid;
  }

  /** The remote party of a channel hangs up. */
  hangup(uuid: string, cause = 'NORMAL_CLEARING'): void {
    const ch = this.channels.get(uuid);
    if (!ch) return;
    this.channels.delete(uuid);
    this.hangups.set(uuid, cause);
    this.counters.hungUp++;
    const offer = this.pendingOffers.get(uuid);
    if (offer) {
      this.pendingOffers.delete(uuid);
      if (offer.timer) clearTimeout(offer.timer);
      this.emitChannelEvent('CHANNEL_HANGUP_COMPLETE', ch, { 'Hangup-Cause': cause });
      this.sendBackgroundJob(offer.client, offer.jobUuid, 'originate', `-ERR ${cause}\n`);
      return;
    }
    this.emitChannelEvent('CHANNEL_HANGUP_COMPLETE', ch, { 'Hangup-Cause': cause });
    if (ch.bridgedTo) {
      const other = this.channels.get(ch.bridgedTo);
      if (other) {
        other.bridgedTo = null;
        this.hangup(other.uuid, 'NORMAL_CLEARING');
      }
    }
  }

  /** A waiting caller presses a key: the dialplan's digit binding fires cc::digit (dialplans/cc_inbound.xml). */
  sendDtmf(uuid: string, digit: string): void {
    const ch = this.channels.get(uuid);
    if (ch) this.emitChannelEvent('CUSTOM', ch, { 'Event-Subclass': 'cc::digit', cc_digit: digit });
  }

  /** The agent's softphone answers a ringing offer (behaviour 'manual'). */
  answerOffer(extension: string): string {
    const offer = [...this.pendingOffers.values()].find((o) => o.extension === extension);
    if (!offer) throw new Error(`no ringing offer for extension ${extension}`);
    this.completeOffer(offer, true);
    return offer.uuid;
  }

  ringingOffers(): { uuid: string; extension: string }[] {
    return [...this.pendingOffers.values()].map((o) => ({ uuid: o.uuid, extension: o.extension }));
  }

  // ---------------------------------------------------------------- protocol

  private accept(socket: net.Socket): void {
    const client: Client = { socket, authed: false, sub: null, buffer: '' };
    this.clients.add(client);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      client.buffer += chunk;
      let end: number;
      while ((end = client.buffer.indexOf('\n\n')) !== -1) {
        const block = client.buffer.slice(0, end);
        client.buffer = client.buffer.slice(end + 2);
        this.onCommand(client, block);
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => this.clients.delete(client));
    socket.write(authRequest());
  }

  private onCommand(client: Client, block: string): void {
    const [line = '', ...headerLines] = block.split('\n');
    const headers = new Map(headerLines.map((h) => [h.slice(0, h.indexOf(':')), h.slice(h.indexOf(':') + 1).trim()] as const));
    const [verb = '', ...rest] = line.trim().split(' ');
    const args = rest.join(' ');
    if (!client.authed) {
      if (verb === 'auth') {
        if (args === this.password) {
          client.authed = true;
          client.socket.write(commandReply('+OK accepted'));
        } else {
          client.socket.write(commandReply('-ERR invalid'));
          client.socket.end(disconnectNotice());
        }
      } else {
        client.socket.write(commandReply('-ERR command not found'));
      }
      return;
    }
    switch (verb) {
      case 'api':
        this.commands.push(args);
        this.emit('command', args);
        client.socket.write(apiResponse(this.runApi(client, args)));
        return;
      case 'bgapi': {
        this.commands.push(args);
        this.emit('command', args);
        const jobUuid = headers.get('Job-UUID') || randomUUID();
        client.socket.write(commandReply(`+OK Job-UUID: ${jobUuid}`, { 'Job-UUID': jobUuid }));
        this.runBgapi(client, args, jobUuid);
        return;
      }
      case 'event':
        return this.subscribe(client, rest);
      case 'nixevent':
        for (const n of rest) client.sub?.names.delete(n);
        client.socket.write(commandReply('+OK events nixed'));
        return;
      case 'noevents':
        client.sub = null;
        client.socket.write(commandReply('+OK no longer listening for events'));
        return;
      case 'filter':
        client.socket.write(commandReply(rest[0] === 'delete' ? `+OK filter deleted. [${rest[1] ?? 'all'}][${rest[2] ?? ''}]` : `+OK filter added. [${rest[0]}]=[${rest.slice(1).join(' ')}]`));
        return;
      case 'exit':
        client.socket.write(commandReply('+OK bye'));
        client.socket.end(disconnectNotice());
        return;
      default:
        client.socket.write(commandReply('-ERR command not found'));
    }
  }

  /** Same parsing as mod_event_socket: after CUSTOM, every further word is a subclass. */
  private subscribe(client: Client, words: string[]): void {
    const [format = 'plain', ...names] = words;
    const fmt = format === 'json' || format === 'xml' ? format : 'plain';
    const sub: Subscription = client.sub ?? { format: fmt, all: false, names: new Set(), subclasses: new Set() };
    sub.format = fmt;
    let custom = false;
    for (const n of names) {
      if (custom) sub.subclasses.add(n);
      else if (n === 'ALL') sub.all = true;
      else if (/^[A-Z_]+$/.test(n)) {
        sub.names.add(n);
        if (n === 'CUSTOM') custom = true;
      }
    }
    client.sub = sub;
    client.socket.write(commandReply(`+OK event listener enabled ${fmt}`));
  }

  private runApi(client: Client, cmd: string): string {
    const [name = '', ...a] = cmd.split(' ');
    switch (name) {
      case 'status':
        return `UP 0 years, 0 days, 0 hours, 0 minutes, 1 second, 0 milliseconds, 0 microseconds\nFreeSWITCH (Version 1.10.12-release git a88d069 2024-08-02 21:02:27Z 64bit) is ready\n${this.channels.size} session(s) since startup\n`;
      case 'show':
        if (a.join(' ') === 'channels as json' || a.join(' ') === 'calls as json') return this.showChannelsJson();
        return '-ERR Invalid command\n';
      case 'uuid_getvar': {
        const ch = this.channels.get(a[0] ?? '');
        if (!ch) return '-ERR No such channel!\n';
        return ch.vars.get(a[1] ?? '') ?? '_undef_';
      }
      case 'uuid_setvar': {
        const ch = this.channels.get(a[0] ?? '');
        if (!ch) return '-ERR No such channel!\n';
        ch.vars.set(a[1] ?? '', a.slice(2).join(' '));
        return '+OK\n';
      }
      case 'uuid_kill': {
        const uuid = a[0] ?? '';
        if (!this.channels.has(uuid)) return '-ERR No such channel!\n';
        setImmediate(() => this.hangup(uuid, a[1] || 'NORMAL_CLEARING'));
        return '+OK\n';
      }
      case 'uuid_bridge':
        return this.bridge(a[0] ?? '', a[1] ?? '');
      case 'uuid_transfer': {
        const ch = this.channels.get(a[0] ?? '');
        if (!ch) return '-ERR No such channel!\n';
        ch.destination = a[1] ?? '';
        ch.context = a[3] ?? 'default';
        ch.application = 'playback';
        if (ch.context === 'cc_diversions' && ch.destination === 'cc_callback') {
          // The agent leg now calls the customer; it stays up until somebody hangs up.
          ch.application = 'bridge';
        } else if (ch.context === 'cc_diversions') {
          ch.vars.set('cc_entered', 'false');
          const cause = ch.destination === 'cc_not_in_service' ? 'UNALLOCATED_NUMBER' : 'NORMAL_CLEARING';
          setTimeout(() => this.hangup(ch.uuid, cause), 20);
        }
        return '+OK\n';
      }
      case 'uuid_broadcast': {
        const ch = this.channels.get(a[0] ?? '');
        if (!ch) return '-ERR No such channel!\n';
        this.broadcasts.push({ uuid: ch.uuid, file: a[1] ?? '' });
        return '+OK Message sent\n';
      }
      case 'originate':
        return '-ERR use bgapi in tests\n';
      default:
        return `-ERR ${name} Command not found!\n`;
    }
  }

  private runBgapi(client: Client, cmd: string, jobUuid: string): void {
    const [name = ''] = cmd.split(' ');
    if (name !== 'originate') {
      const body = this.runApi(client, cmd);
      setImmediate(() => this.sendBackgroundJob(client, jobUuid, cmd, body));
      return;
    }
    const m = /^originate \{(.*)\}user\/([^@\s]+)@(\S+) &park\(\)$/.exec(cmd);
    if (!m) {
      setImmediate(() => this.sendBackgroundJob(client, jobUuid, cmd, '-ERR CHAN_NOT_IMPLEMENTED\n'));
      return;
    }
    const vars = parseVarBlock(m[1] ?? '');
    const extension = m[2] ?? '';
    const behaviour = this.behaviours.get(extension) ?? this.defaultBehaviour;
    if (behaviour.kind === 'not_registered') {
      setImmediate(() => this.sendBackgroundJob(client, jobUuid, cmd, '-ERR USER_NOT_REGISTERED\n'));
      return;
    }
    const ch = this.createChannel({
      uuid: vars.get('origination_uuid'),
      direction: 'outbound',
      callerNumber: vars.get('origination_caller_id_number') ?? '',
      callerName: vars.get('origination_caller_id_name') ?? '',
      destination: extension,
      context: 'default',
    });
    for (const [k, v] of vars) ch.vars.set(k, v);
    const offer: PendingOffer = { uuid: ch.uuid, extension, jobUuid, client, timer: null };
    this.pendingOffers.set(ch.uuid, offer);
    if (behaviour.kind === 'answer') offer.timer = setTimeout(() => this.completeOffer(offer, true), behaviour.afterMs);
    if (behaviour.kind === 'no_answer') offer.timer = setTimeout(() => this.completeOffer(offer, false), behaviour.afterMs);
  }

  private completeOffer(offer: PendingOffer, answered: boolean): void {
    if (this.pendingOffers.get(offer.uuid) !== offer) return;
    this.pendingOffers.delete(offer.uuid);
    if (offer.timer) clearTimeout(offer.timer);
    const ch = this.channels.get(offer.uuid);
    if (!ch) return;
    if (answered) {
      ch.answered = true;
      ch.application = 'park';
      this.emitChannelEvent('CHANNEL_ANSWER', ch);
      this.sendBackgroundJob(offer.client, offer.jobUuid, 'originate', `+OK ${ch.uuid}\n`);
    } else {
      this.channels.delete(ch.uuid);
      this.hangups.set(ch.uuid, 'NO_ANSWER');
      this.emitChannelEvent('CHANNEL_HANGUP_COMPLETE', ch, { 'Hangup-Cause': 'NO_ANSWER' });
      this.sendBackgroundJob(offer.client, offer.jobUuid, 'originate', '-ERR NO_ANSWER\n');
    }
  }

  private bridge(a: string, b: string): string {
    const x = this.channels.get(a);
    const y = this.channels.get(b);
    if (!x || !y) return `-ERR Invalid uuid ${!x ? a : b}\n`;
    x.bridgedTo = b;
    y.bridgedTo = a;
    x.application = 'uuid_bridge';
    this.emitChannelEvent('CHANNEL_BRIDGE', x, { 'Other-Leg-Unique-ID': b, 'Bridge-A-Unique-ID': a, 'Bridge-B-Unique-ID': b });
    this.counters.bridged++;
    if (this.hangupAfterBridgeMs !== null) setTimeout(() => this.hangup(a), this.hangupAfterBridgeMs);
    return `+OK ${b}\n`;
  }

  private showChannelsJson(): string {
    if (this.channels.size === 0) return '{"row_count": 0}\n';
    const rows = [...this.channels.values()].map((c) => ({
      uuid: c.uuid,
      direction: c.direction,
      created: new Date(c.createdAt).toISOString().replace('T', ' ').slice(0, 19),
      created_epoch: String(Math.floor(c.createdAt / 1000)),
      name: `sofia/trunks/${c.callerNumber}@127.0.0.1`,
      state: 'CS_EXECUTE',
      cid_name: c.callerName,
      cid_num: c.callerNumber,
      ip_addr: '127.0.0.1',
      dest: c.destination,
      application: c.application,
      application_data: '',
      dialplan: 'XML',
      context: c.context,
      callstate: c.answered ? 'ACTIVE' : 'RINGING',
      call_uuid: c.uuid,
    }));
    return `${JSON.stringify({ row_count: rows.length, rows })}\n`;
  }

  // ---------------------------------------------------------------- events

  private createChannel(o: { uuid?: string | undefined; direction: 'inbound' | 'outbound'; callerNumber: string; callerName: string; destination: string; context: string }): FakeChannel {
    const ch: FakeChannel = {
      uuid: o.uuid ?? randomUUID(),
      direction: o.direction,
      callerNumber: o.callerNumber,
      callerName: o.callerName,
      destination: o.destination,
      context: o.context,
      application: '',
      createdAt: Date.now(),
      answered: false,
      bridgedTo: null,
      vars: new Map(),
    };
    this.channels.set(ch.uuid, ch);
    this.emitChannelEvent('CHANNEL_CREATE', ch);
    return ch;
  }

  private stamp(e: EventBody): void {
    const now = Date.now();
    e['Event-Date-Timestamp'] = String(now * 1000 + Math.floor(Math.random() * 1000));
    e['Event-Date-GMT'] = new Date(now).toUTCString();
    e['Event-Date-Local'] = new Date(now).toISOString().replace('T', ' ').slice(0, 19);
    e['Event-Sequence'] = String(++this.sequence);
  }

  private emitChannelEvent(name: string, ch: FakeChannel, extra: EventBody = {}): void {
    const template = templates[name] ?? templates.CHANNEL_ANSWER!;
    const e: EventBody = {};
    for (const [k, v] of Object.entries(template)) {
      if (!k.startsWith('variable_') && k !== 'Event-Subclass' && !k.startsWith('Other-Leg-') && !k.startsWith('Bridge-')) e[k] = v;
    }
    e['Event-Name'] = name;
    this.stamp(e);
    Object.assign(e, {
      'Channel-State': ch.answered ? 'CS_EXECUTE' : 'CS_INIT',
      'Channel-Call-State': ch.answered ? 'ACTIVE' : 'RINGING',
      'Channel-Name': ch.direction === 'inbound' ? `sofia/trunks/${ch.callerNumber}@127.0.0.1` : `sofia/agents/${ch.destination}@127.0.0.1`,
      'Unique-ID': ch.uuid,
      'Call-Direction': ch.direction,
      'Answer-State': ch.answered ? 'answered' : 'ringing',
      'Caller-Direction': ch.direction,
      'Caller-Caller-ID-Name': ch.callerName,
      'Caller-Caller-ID-Number': ch.callerNumber,
      'Caller-Destination-Number': ch.destination,
      'Caller-Unique-ID': ch.uuid,
      'Caller-Context': ch.context,
      'Channel-Call-UUID': ch.uuid,
      variable_uuid: ch.uuid,
      variable_direction: ch.direction,
    });
    for (const [k, v] of ch.vars) e[`variable_${k}`] = v;
    if (extra['Hangup-Cause']) {
      e.variable_hangup_cause = extra['Hangup-Cause'];
      e['Channel-State'] = 'CS_REPORTING';
      e['Channel-Call-State'] = 'HANGUP';
    }
    Object.assign(e, extra);
    this.broadcast(e);
  }

  private sendBackgroundJob(client: Client, jobUuid: string, command: string, body: string): void {
    const e: EventBody = {};
    for (const [k, v] of Object.entries(templates.BACKGROUND_JOB!)) if (k !== '_body') e[k] = v;
    this.stamp(e);
    e['Job-UUID'] = jobUuid;
    e['Job-Command'] = command.split(' ')[0] ?? command;
    e['Job-Command-Arg'] = command.split(' ').slice(1).join(' ');
    e._body = body;
    this.deliver(client, e);
  }

  private broadcast(e: EventBody): void {
    for (const c of this.clients) this.deliver(c, e);
  }

  private deliver(c: Client, e: EventBody): void {
    const sub = c.sub;
    if (!c.authed || !sub || c.socket.destroyed) return;
    const name = e['Event-Name'] ?? '';
    const wanted = sub.all || (sub.names.has(name) && (name !== 'CUSTOM' || sub.subclasses.size === 0 || sub.subclasses.has(e['Event-Subclass'] ?? '')));
    if (!wanted) return;
    c.socket.write(sub.format === 'json' ? eventJson(e) : eventPlain(e));
  }
}

/** Parses an originate `{a=b,c='d e',f=g\,h}` block. */
export function parseVarBlock(block: string): Map<string, string> {
  const vars = new Map<string, string>();
  let current = '';
  let quoted = false;
  const flush = () => {
    const eq = current.indexOf('=');
    if (eq > 0) vars.set(current.slice(0, eq), current.slice(eq + 1).replace(/^'(.*)'$/s, '$1'));
    current = '';
  };
  for (let i = 0; i < block.length; i++) {
    const ch = block[i]!;
    if (ch === '\\' && block[i + 1] === ',') {
      current += ',';
      i++;
    } else if (ch === "'") {
      quoted = !quoted;
      current += ch;
    } else if (ch === ',' && !quoted) {
      flush();
    } else {
      current += ch;
    }
  }
  flush();
  return vars;
}
