import { z } from 'zod';
import { create } from 'xmlbuilder2';
import { header, variable, type FsEvent } from '../esl/event.ts';
import type { TrunkView } from '../supervision/protocol.ts';
import { UUID_RE } from '../esl/commands.ts';

/**
 * Trunk and gateway state (中继状态) from FreeSWITCH, as pure functions:
 * - `sofia::gateway_state` events (mod_sofia's sofia_reg_fire_custom_gateway_state_event):
 *   headers Gateway, State, Ping-Status, and Status/Phrase of the last SIP answer;
 * - the reply of `sofia xmlstatus gateway` (the full list, for start-up and resyncs);
 * - calls in use: channels FreeSWITCH tied to a gateway carry `sip_gateway_name`
 *   (outbound, set by mod_sofia when dialling sofia/gateway/<name>/…) or
 *   `sip_gateway` (inbound calls matched to a gateway), on CHANNEL_CREATE and
 *   CHANNEL_HANGUP_COMPLETE alike. Inbound calls from carriers admitted by ACL
 *   only are tied to no gateway and are not counted.
 * Examples recorded from FreeSWITCH 1.10.12 are in test/fixtures/trunks/.
 */

export const GATEWAY_STATE_SUBCLASS = 'sofia::gateway_state';

/** mod_sofia's sofia_state_names. */
export const REGISTRATION_STATES = ['UNREGED', 'TRYING', 'REGISTER', 'REGED', 'UNREGISTER', 'FAILED', 'FAIL_WAIT', 'EXPIRED', 'NOREG', 'DOWN', 'TIMEOUT'] as const;
export type RegistrationState = (typeof REGISTRATION_STATES)[number];

const gatewayName = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'a gateway name');
const pingStatus = z.enum(['UP', 'DOWN', 'INVALID']);

const gatewayStateEventSchema = z.object({
  Gateway: gatewayName,
  State: z.enum(REGISTRATION_STATES),
  'Ping-Status': pingStatus,
  Status: z.string().regex(/^[1-6][0-9]{2}$/).optional(),
  Phrase: z.string().max(200).optional(),
});

export interface GatewayStateUpdate {
  name: string;
  registration: RegistrationState;
  pingStatus: 'UP' | 'DOWN' | 'INVALID';
  /** "503 Service Unavailable", when the event carries the SIP answer. */
  lastStatus: string | null;
  at: number;
}

export class GatewayStateParseError extends Error {
  override readonly name = 'GatewayStateParseError';
}

/** A `sofia::gateway_state` event; null for any other event; throws for a malformed one. */
export function parseGatewayStateEvent(event: FsEvent): GatewayStateUpdate | null {
  if (event.name !== 'CUSTOM' || event.subclass !== GATEWAY_STATE_SUBCLASS) return null;
  const parsed = gatewayStateEventSchema.safeParse(Object.fromEntries(['Gateway', 'State', 'Ping-Status', 'Status', 'Phrase'].flatMap((k) => {
    const v = header(event, k);
    return v === undefined ? [] : [[k, v]];
  })));
  if (!parsed.success) throw new GatewayStateParseError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  const e = parsed.data;
  return {
    name: e.Gateway,
    registration: e.State,
    pingStatus: e['Ping-Status'],
    lastStatus: e.Status ? `${e.Status}${e.Phrase ? ` ${e.Phrase.replace(/[\u0000-\u001f]/g, '')}` : ''}` : null,
    at: event.at,
  };
}

const numberText = z.string().regex(/^-?[0-9]+(\.[0-9]+)?$/).transform(Number);

const xmlGatewaySchema = z.object({
  name: gatewayName,
  profile: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/),
  state: z.enum(REGISTRATION_STATES),
  status: pingStatus,
  pingfreq: numberText,
  'calls-in': numberText,
  'calls-out': numberText,
});

export interface GatewayStatus {
  name: string;
  profile: string;
  registration: RegistrationState;
  pingStatus: 'UP' | 'DOWN' | 'INVALID';
  /** Seconds between OPTIONS pings; 0: the gateway is not pinged. */
  pingFrequencySec: number;
  callsInTotal: number;
  callsOutTotal: number;
}

/** The reply of `sofia xmlstatus gateway` (an empty list when FreeSWITCH has no gateway). */
export function parseGatewayStatusXml(body: string): GatewayStatus[] {
  const text = body.trim();
  if (text.startsWith('-ERR')) throw new GatewayStateParseError(text.slice(0, 200));
  let doc: unknown;
  try {
    doc = create(text.replace(/^<\?xml[^>]*\?>/, '')).end({ format: 'object' });
  } catch (err) {
    throw new GatewayStateParseError(`not XML: ${(err as Error).message}`);
  }
  const root = z.object({ gateways: z.union([z.string(), z.object({ gateway: z.unknown().optional() })]) }).safeParse(doc);
  if (!root.success) throw new GatewayStateParseError('no <gateways> element');
  const list = typeof root.data.gateways === 'string' ? [] : root.data.gateways.gateway;
  const items = list === undefined ? [] : Array.isArray(list) ? list : [list];
  return items.map((item, i) => {
    const g = xmlGatewaySchema.safeParse(item);
    if (!g.success) throw new GatewayStateParseError(`gateway ${i}: ${g.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`);
    return {
      name: g.data.name,
      profile: g.data.profile,
      registration: g.data.state,
      pingStatus: g.data.status,
      pingFrequencySec: g.data.pingfreq,
      callsInTotal: g.data['calls-in'],
      callsOutTotal: g.data['calls-out'],
    };
  });
}


/** A channel opening or closing on a gateway (CHANNEL_CREATE / CHANNEL_HANGUP_COMPLETE with a gateway variable). */
export interface GatewayChannelSignal {
  kind: 'opened' | 'closed';
  uuid: string;
  gateway: string;
}

export function gatewayChannelSignal(event: FsEvent): GatewayChannelSignal | null {
  if (event.name !== 'CHANNEL_CREATE' && event.name !== 'CHANNEL_HANGUP_COMPLETE') return null;
  const uuid = event.uuid;
  const gateway = variable(event, 'sip_gateway_name') ?? variable(event, 'sip_gateway');
  if (!uuid || !UUID_RE.test(uuid) || !gateway || !gatewayName.safeParse(gateway).success) return null;
  return { kind: event.name === 'CHANNEL_CREATE' ? 'opened' : 'closed', uuid, gateway };
}

// ---------------------------------------------------------------- the book

export interface TrunkRecord {
  name: string;
  profile: string;
  registration: RegistrationState;
  pingStatus: 'UP' | 'DOWN' | 'INVALID';
  pingFrequencySec: number | null;
  callsInTotal: number;
  callsOutTotal: number;
  lastChange: number | null;
  lastStatus: string | null;
}

/** What the orchestrator knows of the gateways: their state and the live channels on each. */
export interface TrunkBook {
  readonly trunks: ReadonlyMap<string, TrunkRecord>;
  /** Live channel uuid -> gateway. */
  readonly channels: ReadonlyMap<string, string>;
}

export const emptyTrunkBook = (): TrunkBook => ({ trunks: new Map(), channels: new Map() });

/** The full list from `sofia xmlstatus gateway`: gateways no longer configured disappear. */
export function applyGatewayStatuses(book: TrunkBook, statuses: readonly GatewayStatus[], at: number): TrunkBook {
  const trunks = new Map<string, TrunkRecord>();
  for (const s of statuses) {
    const before = book.trunks.get(s.name);
    const changed = !before || before.registration !== s.registration || before.pingStatus !== s.pingStatus;
    trunks.set(s.name, {
      name: s.name,
      profile: s.profile,
      registration: s.registration,
      pingStatus: s.pingStatus,
      pingFrequencySec: s.pingFrequencySec,
      callsInTotal: s.callsInTotal,
      callsOutTotal: s.callsOutTotal,
      lastChange: changed ? (before ? at : null) : (before?.lastChange ?? null),
      lastStatus: before?.lastStatus ?? null,
    });
  }
  return { trunks, channels: book.channels };
}

export function applyGatewayState(book: TrunkBook, u: GatewayStateUpdate): TrunkBook {
  const before = book.trunks.get(u.name);
  const trunks = new Map(book.trunks);
  trunks.set(u.name, {
    name: u.name,
    profile: before?.profile ?? '',
    registration: u.registration,
    pingStatus: u.pingStatus,
    pingFrequencySec: before?.pingFrequencySec ?? null,
    callsInTotal: before?.callsInTotal ?? 0,
    callsOutTotal: before?.callsOutTotal ?? 0,
    lastChange: !before || before.registration !== u.registration || before.pingStatus !== u.pingStatus ? u.at : before.lastChange,
    lastStatus: u.lastStatus ?? before?.lastStatus ?? null,
  });
  return { trunks, channels: book.channels };
}

export function applyGatewayChannel(book: TrunkBook, s: GatewayChannelSignal): TrunkBook {
  const has = book.channels.get(s.uuid) === s.gateway;
  if ((s.kind === 'opened') === has) return book;
  const channels = new Map(book.channels);
  if (s.kind === 'opened') channels.set(s.uuid, s.gateway);
  else channels.delete(s.uuid);
  return { trunks: book.trunks, channels };
}

/** Replaces the live channels (after a reconnection: from the switch's channel list). */
export function withGatewayChannels(book: TrunkBook, channels: ReadonlyMap<string, string>): TrunkBook {
  return { trunks: book.trunks, channels: new Map(channels) };
}

/**
 * A gateway is up when it is registered (or needs no registration) and its
 * pings, if it is pinged, do not fail.
 */
export function trunkViews(book: TrunkBook): TrunkView[] {
  const inUse = new Map<string, number>();
  for (const g of book.channels.values()) inUse.set(g, (inUse.get(g) ?? 0) + 1);
  return [...book.trunks.values()]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((t) => {
      // Known only from events: a ping answer (UP, or a SIP status) shows the gateway is pinged.
      const pinged = t.pingFrequencySec === null ? t.pingStatus === 'UP' || t.lastStatus !== null : t.pingFrequencySec > 0;
      const ping: TrunkView['ping'] = !pinged ? 'unknown' : t.pingStatus === 'UP' ? 'up' : 'down';
      const registered = t.registration === 'REGED' || t.registration === 'NOREG';
      return {
        name: t.name,
        profile: t.profile,
        registration: t.registration,
        ping,
        status: registered && ping !== 'down' ? 'up' : 'down',
        callsInUse: inUse.get(t.name) ?? 0,
        callsInTotal: t.callsInTotal,
        callsOutTotal: t.callsOutTotal,
        lastChange: t.lastChange === null ? null : new Date(t.lastChange).toISOString(),
        lastStatus: t.lastStatus,
      };
    });
}
