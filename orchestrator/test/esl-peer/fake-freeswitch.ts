import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { pcmWavHeader } from '../../src/media/wav.ts';
import { apiResponse, authRequest, commandReply, disconnectNotice, eventJson, eventPlain, type EventBody } from './wire.ts';

const require = createRequire(import.meta.url);
const templates = (require('./event-templates.json') as { events: Record<string, EventBody> }).events;
/** The peer's own record of whom an eavesdropping leg listens to (not a FreeSWITCH variable). */
const EAVESDROP_TARGET = 'peer_eavesdrop_target';

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

interface RunningApp {
  uuid: string;
  app: string;
  arg: string;
  appUuid: string;
  timer: NodeJS.Timeout | null;
}

interface PendingOffer {
  uuid: string;
  extension: string;
  jobUuid: string;
  client: Client;
  timer: NodeJS.Timeout | null;
}

/** A uuid_record capture in progress (or finished) on the test peer. */
export interface FakeRecording {
  uuid: string;
  path: string;
  startedAt: number;
  stoppedAt: number | null;
  stereo: boolean;
  /** Masked (paused) spans, ms since the epoch; `to` null while masked. */
  masks: { from: number; to: number | null }[];
}

/** The audio the test peer writes: a tone per side, so tests can tell the channels apart. */
export const FAKE_RECORDING_TONES = { callerHz: 400, agentHz: 1000, sampleRate: 8000, amplitude: 8000 } as const;

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
  /** DTMF queued on channels with uuid_recv_dtmf (supervision switches eavesdrop modes with it). */
  readonly receivedDtmf: { uuid: string; digits: string }[] = [];
  /** The reply to `sofia xmlstatus gateway` (tests set it; FreeSWITCH's answer with no gateway by default). */
  gatewayStatusXml = '<?xml version="1.0" encoding="ISO-8859-1"?>\n<gateways>\n</gateways>\n';
  /** Hangup causes of channels that ended, by uuid. */
  readonly hangups = new Map<string, string>();
  /** Applications run with `sendmsg <uuid>` execute, in order. */
  readonly executions: { uuid: string; app: string; arg: string }[] = [];
  /** Keys a caller has pressed that no play_and_get_digits has read yet, by channel. */
  private readonly keyBuffers = new Map<string, string>();
  private readonly runningApps = new Map<string, RunningApp>();
  /** uuid_record captures by file path. */
  readonly recordings = new Map<string, FakeRecording>();
  /** When set, captures end without a file (FreeSWITCH could not write: disk full, bad path). */
  failRecordingWrites = false;

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

  /** A caller dials a number routed to an IVR flow: dialplans/cc_ivr.xml answers, fires cc::ivr and parks. */
  placeIvrCall(o: { callerNumber: string; did: string; flowId: string }): string {
    const ch = this.createChannel({ direction: 'inbound', callerNumber: o.callerNumber, callerName: o.callerNumber, destination: o.did, context: 'cc_ivr' });
    for (const [k, v] of [['cc_ivr_flow_id', o.flowId], ['cc_did', o.did], ['cc_ivr', 'true'], ['tts_engine', 'flite'], ['tts_voice', 'slt']]) ch.vars.set(k!, v!);
    ch.answered = true;
    this.emitChannelEvent('CHANNEL_ANSWER', ch);
    this.emitChannelEvent('CUSTOM', ch, { 'Event-Subclass': 'cc::ivr' });
    ch.application = 'park';
    this.counters.placed++;
    return ch.uuid;
  }

  /** The caller presses keys (RFC 2833): a running or later play_and_get_digits reads them. */
  pressKeys(uuid: string, keys: string): void {
    if (!this.channels.has(uuid)) return;
    this.keyBuffers.set(uuid, (this.keyBuffers.get(uuid) ?? '') + keys);
    for (const run of [...this.runningApps.values()]) if (run.uuid === uuid && run.app === 'play_and_get_digits') this.readKeys(run, false);
  }

  /** Sends an event as FreeSWITCH would (e.g. a recorded sofia::gateway_state), re-stamped. */
  emitRawEvent(headers: EventBody): void {
    const e: EventBody = { ...headers };
    this.stamp(e);
    this.broadcast(e);
  }

  /** The channel an eavesdropping leg listens to, if it does. */
  eavesdropTarget(uuid: string): string | null {
    return this.channels.get(uuid)?.vars.get(EAVESDROP_TARGET) ?? null;
  }

  /** The remote party of a channel hangs up. */
  hangup(uuid: string, cause = 'NORMAL_CLEARING'): void {
    const ch = this.channels.get(uuid);
    if (!ch) return;
    this.channels.delete(uuid);
    this.hangups.set(uuid, cause);
    this.counters.hungUp++;
    this.keyBuffers.delete(uuid);
    for (const [id, run] of [...this.runningApps]) {
      if (run.uuid !== uuid) continue;
      if (run.timer) clearTimeout(run.timer);
      this.runningApps.delete(id);
    }
    const offer = this.pendingOffers.get(uuid);
    if (offer) {
      this.pendingOffers.delete(uuid);
      if (offer.timer) clearTimeout(offer.timer);
      this.emitChannelEvent('CHANNEL_HANGUP_COMPLETE', ch, { 'Hangup-Cause': cause });
      this.sendBackgroundJob(offer.client, offer.jobUuid, 'originate', `-ERR ${cause}\n`);
      return;
    }
    this.stopRecordingsOf(ch);
    this.emitChannelEvent('CHANNEL_HANGUP_COMPLETE', ch, { 'Hangup-Cause': cause });
    // An eavesdrop ends with the channel it listens to, and its leg hangs up (originate … &eavesdrop()).
    for (const other of [...this.channels.values()]) if (other.vars.get(EAVESDROP_TARGET) === uuid) this.hangup(other.uuid, 'NORMAL_CLEARING');
    if (ch.bridgedTo) {
      const other = this.channels.get(ch.bridgedTo);
      if (other) {
        other.bridgedTo = null;
        if (other.vars.get('park_after_bridge') === 'true' && other.vars.get('hangup_after_bridge') !== 'true') {
          // The caller stays (e.g. for the IVR's survey): unbridged and parked.
          other.application = 'park';
          this.emitChannelEvent('CHANNEL_UNBRIDGE', other, { 'Other-Leg-Unique-ID': ch.uuid });
        } else {
          this.hangup(other.uuid, 'NORMAL_CLEARING');
        }
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
      case 'sendmsg':
        return this.sendmsg(client, rest[0] ?? '', headers);
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
        if (ch.context === 'cc_inbound') {
          // dialplans/cc_inbound.xml: the caller enters the contact center (e.g. from the IVR's queue node).
          ch.vars.set('cc_entered', 'true');
          ch.vars.set('cc_did', ch.destination);
          const afterCall = ch.vars.get('cc_after_call') === 'true';
          ch.vars.set('hangup_after_bridge', afterCall ? 'false' : 'true');
          ch.vars.set('park_after_bridge', afterCall ? 'true' : 'false');
          ch.application = 'endless_playback';
          setImmediate(() => this.emitChannelEvent('CUSTOM', ch, { 'Event-Subclass': 'cc::enqueue', cc_did: ch.destination }));
        } else if (ch.context === 'cc_diversions' && ch.destination === 'cc_callback') {
          // The agent leg now calls the customer; it stays up until somebody hangs up.
          ch.application = 'bridge';
        } else if (ch.context === 'cc_diversions') {
          ch.vars.set('cc_entered', 'false');
          const cause = ch.destination === 'cc_not_in_service' ? 'UNALLOCATED_NUMBER' : 'NORMAL_CLEARING';
          setTimeout(() => this.hangup(ch.uuid, cause), 20);
        }
        return '+OK\n';
      }
      case 'uuid_break': {
        if (!this.channels.has(a[0] ?? '')) return '-ERR No such channel!\n';
        for (const run of [...this.runningApps.values()]) if (run.uuid === a[0]) this.completeApp(run, run.app === 'play_and_get_digits' ? '' : null);
        return '+OK\n';
      }
      case 'uuid_broadcast': {
        const ch = this.channels.get(a[0] ?? '');
        if (!ch) return '-ERR No such channel!\n';
        this.broadcasts.push({ uuid: ch.uuid, file: a[1] ?? '' });
        return '+OK Message sent\n';
      }
      case 'uuid_record':
        return this.record(a);
      case 'uuid_setvar_multi': {
        const ch = this.channels.get(a[0] ?? '');
        if (!ch) return '-ERR No such channel!\n';
        for (const pair of a.slice(1).join(' ').split(';')) {
          const eq = pair.indexOf('=');
          if (eq > 0) ch.vars.set(pair.slice(0, eq), pair.slice(eq + 1));
        }
        return '+OK\n';
      }
      case 'uuid_recv_dtmf': {
        if (a.length < 2) return '-USAGE: <uuid> <dtmf_data>\n';
        if (!this.channels.has(a[0] ?? '')) return '-ERR Cannot locate session!\n';
        this.receivedDtmf.push({ uuid: a[0]!, digits: a[1]! });
        return `+OK ${a[0]} received DTMF ${a[1]}.\n`;
      }
      case 'sofia':
        if (a.join(' ') === 'xmlstatus gateway') return this.gatewayStatusXml;
        return '-ERR Invalid command\n';
      case 'originate':
        return '-ERR use bgapi in tests\n';
      default:
        return `-ERR ${name} Command not found!\n`;
    }
  }

  /** `uuid_record <uuid> start|stop|mask|unmask <path> [limit]`, answered as FreeSWITCH 1.10 does (03-inbound-call-lifecycle trace). */
  private record(a: string[]): string {
    const [uuid = '', action = '', file = ''] = a;
    if (!file || !['start', 'stop', 'mask', 'unmask'].includes(action)) return '-USAGE: <uuid> [start|stop|mask|unmask] <path> [<limit>] [<recording_vars>]\n';
    const ch = this.channels.get(uuid);
    if (!ch) return '-ERR Cannot locate session!\n';
    const rec = this.recordings.get(file);
    const now = Date.now();
    switch (action) {
      case 'start': {
        const fresh: FakeRecording = { uuid, path: file, startedAt: now, stoppedAt: null, stereo: ch.vars.get('RECORD_STEREO') === 'true', masks: [] };
        this.recordings.set(file, fresh);
        setImmediate(() => this.emitChannelEvent('RECORD_START', ch, { 'Record-File-Path': file }));
        return '+OK Success\n';
      }
      case 'stop':
        if (!rec || rec.uuid !== uuid || rec.stoppedAt !== null) return '-ERR Cannot stop record session!\n';
        setImmediate(() => this.finishRecording(ch, rec));
        rec.stoppedAt = now;
        return '+OK Success\n';
      default: {
        if (!rec || rec.uuid !== uuid || rec.stoppedAt !== null) return `-ERR Cannot ${action} recording session!\n`;
        const open = rec.masks.at(-1);
        if (action === 'mask' && !(open && open.to === null)) rec.masks.push({ from: now, to: null });
        if (action === 'unmask' && open && open.to === null) open.to = now;
        return '+OK Success\n';
      }
    }
  }

  private stopRecordingsOf(ch: FakeChannel): void {
    for (const rec of this.recordings.values()) {
      if (rec.uuid !== ch.uuid || rec.stoppedAt !== null) continue;
      rec.stoppedAt = Date.now();
      this.finishRecording(ch, rec);
    }
  }

  /** Writes the WAV (a 400 Hz caller tone left, a 1 kHz agent tone right; silence while masked) and fires RECORD_STOP. */
  private finishRecording(ch: FakeChannel, rec: FakeRecording): void {
    const stoppedAt = rec.stoppedAt ?? Date.now();
    const ms = Math.max(0, stoppedAt - rec.startedAt);
    if (!this.failRecordingWrites) {
      const { sampleRate, callerHz, agentHz, amplitude } = FAKE_RECORDING_TONES;
      const channels = rec.stereo ? 2 : 1;
      const frames = Math.floor((ms * sampleRate) / 1000);
      const data = Buffer.alloc(frames * channels * 2);
      for (let i = 0; i < frames; i++) {
        const t = rec.startedAt + (i * 1000) / sampleRate;
        const masked = rec.masks.some((m) => t >= m.from && t < (m.to ?? Infinity));
        const left = masked ? 0 : Math.round(amplitude * Math.sin((2 * Math.PI * callerHz * i) / sampleRate));
        const right = masked ? 0 : Math.round(amplitude * Math.sin((2 * Math.PI * agentHz * i) / sampleRate));
        data.writeInt16LE(left, i * channels * 2);
        if (channels === 2) data.writeInt16LE(right, i * 4 + 2);
      }
      const header = pcmWavHeader({ channels, sampleRate, bitsPerSample: 16, dataBytes: data.length });
      try {
        fs.writeFileSync(rec.path, Buffer.concat([header, data]));
      } catch {
        /* like FreeSWITCH: the recording is just missing */
      }
    }
    this.emitChannelEvent('RECORD_STOP', ch, {
      'Record-File-Path': rec.path,
      variable_record_ms: String(ms),
      variable_record_seconds: String(Math.floor(ms / 1000)),
    });
  }

  private runBgapi(client: Client, cmd: string, jobUuid: string): void {
    const [name = ''] = cmd.split(' ');
    if (name !== 'originate') {
      const body = this.runApi(client, cmd);
      setImmediate(() => this.sendBackgroundJob(client, jobUuid, cmd, body));
      return;
    }
    // Agents' legs park; supervisors' legs park (takeover) or eavesdrop on an agent leg (supervision).
    const m = /^originate \{(.*)\}user\/([^@\s]+)@(\S+) &(?:park\(\)|eavesdrop\(([0-9a-f-]{36})\))$/.exec(cmd);
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
    if (m[4]) ch.vars.set(EAVESDROP_TARGET, m[4]);
    const offer: PendingOffer = { uuid: ch.uuid, extension, jobUuid, client, timer: null };
    this.pendingOffers.set(ch.uuid, offer);
    if (behaviour.kind === 'answer') offer.timer = setTimeout(() => this.completeOffer(offer, true), behaviour.afterMs);
    if (behaviour.kind === 'no_answer') offer.timer = setTimeout(() => this.completeOffer(offer, false), behaviour.afterMs);
  }

  /** `sendmsg <uuid>` with call-command execute: runs a (simulated) dialplan application on a channel. */
  private sendmsg(client: Client, uuid: string, headers: Map<string, string>): void {
    const ch = this.channels.get(uuid);
    if (!ch) {
      client.socket.write(commandReply(`-ERR invalid session id [${uuid}]`));
      return;
    }
    if (headers.get('call-command') !== 'execute') {
      client.socket.write(commandReply('+OK'));
      return;
    }
    const app = headers.get('execute-app-name') ?? '';
    const arg = headers.get('execute-app-arg') ?? '';
    const run: RunningApp = { uuid, app, arg, appUuid: headers.get('Event-UUID') ?? randomUUID(), timer: null };
    this.executions.push({ uuid, app, arg });
    this.commands.push(`sendmsg ${uuid} ${app} ${arg}`);
    this.emit('command', `sendmsg ${uuid} ${app} ${arg}`);
    client.socket.write(commandReply('+OK'));
    this.runningApps.set(run.appUuid, run);
    ch.application = app;
    this.emitChannelEvent('CHANNEL_EXECUTE', ch, { Application: app, 'Application-Data': arg, 'Application-UUID': run.appUuid });
    if (app === 'play_and_get_digits') {
      const timeoutMs = Number(splitArgs(arg)[3]) || 5000;
      run.timer = setTimeout(() => this.completeApp(run, ''), timeoutMs);
      setTimeout(() => this.readKeys(run, false), 5);
    } else if (app === 'record') {
      const [file = '', max = '0'] = splitArgs(arg);
      run.timer = setTimeout(() => {
        writeSilentWav(file, 1000);
        ch.vars.set('record_ms', '1000');
        this.completeApp(run, null);
      }, Math.min(30, Number(max) * 1000));
    } else {
      run.timer = setTimeout(() => this.completeApp(run, null), app === 'playback' ? 10 : 1);
    }
  }

  /** play_and_get_digits reads buffered keys: up to max digits or a terminator. */
  private readKeys(run: RunningApp, _timedOut: boolean): void {
    if (!this.runningApps.has(run.appUuid)) return;
    const buffer = this.keyBuffers.get(run.uuid) ?? '';
    if (!buffer) return;
    const [, max = '1', , , terminators = 'none'] = splitArgs(run.arg);
    const terms = terminators === 'none' ? '' : terminators;
    let taken = '';
    let used = 0;
    for (const key of buffer) {
      used++;
      if (terms.includes(key)) break;
      taken += key;
      if (taken.length >= Number(max)) break;
    }
    const ended = used < buffer.length || terms === '' || [...buffer].some((k) => terms.includes(k)) || taken.length >= Number(max);
    if (!ended) return; // more keys may come
    this.keyBuffers.set(run.uuid, buffer.slice(used));
    this.completeApp(run, taken);
  }

  private completeApp(run: RunningApp, digits: string | null): void {
    if (!this.runningApps.delete(run.appUuid)) return;
    if (run.timer) clearTimeout(run.timer);
    const ch = this.channels.get(run.uuid);
    if (!ch) return;
    if (digits !== null) {
      const variable = splitArgs(run.arg)[7] ?? 'digits';
      if (digits) ch.vars.set(variable, digits);
      else ch.vars.delete(variable);
    }
    ch.application = 'park';
    this.emitChannelEvent('CHANNEL_EXECUTE_COMPLETE', ch, {
      Application: run.app,
      'Application-Data': run.arg,
      'Application-Response': run.app === 'playback' ? 'FILE PLAYED' : '_none_',
      'Application-UUID': run.appUuid,
    });
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
    for (const [ch, partner] of [[x, b], [y, a]] as const) {
      const old = ch.bridgedTo && ch.bridgedTo !== partner ? this.channels.get(ch.bridgedTo) : undefined;
      if (old && old.bridgedTo === ch.uuid) old.bridgedTo = null;
      ch.vars.delete(EAVESDROP_TARGET);
    }
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

/** FreeSWITCH's application argument split: spaces, with '...' quoting (quotes removed). */
export function splitArgs(arg: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  let started = false;
  for (const ch of arg) {
    if (ch === "'") {
      quoted = !quoted;
      started = true;
    } else if (ch === ' ' && !quoted) {
      if (started) out.push(cur);
      cur = '';
      started = false;
    } else {
      cur += ch;
      started = true;
    }
  }
  if (started) out.push(cur);
  return out;
}

/** What FreeSWITCH's record leaves: an 8 kHz mono 16-bit WAV (silence here). */
function writeSilentWav(file: string, ms: number): void {
  if (!file.startsWith('/')) return;
  const data = Buffer.alloc(Math.round((8000 * ms) / 1000) * 2);
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, Buffer.concat([pcmWavHeader({ channels: 1, sampleRate: 8000, bitsPerSample: 16, dataBytes: data.length }), data]));
  } catch {
    /* a folder the test peer may not write: no file, as when FreeSWITCH cannot record */
  }
}
