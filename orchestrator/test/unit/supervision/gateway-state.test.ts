import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { FsEvent } from '../../../src/esl/event.ts';
import {
  applyGatewayChannel, applyGatewayState, applyGatewayStatuses, emptyTrunkBook, gatewayChannelSignal, GatewayStateParseError,
  parseGatewayStateEvent, parseGatewayStatusXml, trunkViews, withGatewayChannels,
} from '../../../src/trunks/gateway-state.ts';

/** Events and status recorded from FreeSWITCH 1.10.12 with this repository's config (see the fixture's _comment). */
const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/trunks');
const recorded = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'freeswitch-gateway-events.json'), 'utf8')) as {
  gatewayState: Record<string, string>[];
  channels: Record<string, string>[];
};
const xmlStatus = fs.readFileSync(path.join(FIXTURES, 'sofia-xmlstatus-gateway.xml'), 'utf8');

/** As esl/event.ts fromModesl builds it from an `event json` frame. */
function fsEvent(headers: Record<string, string>): FsEvent {
  const micros = Number(headers['Event-Date-Timestamp']);
  return { name: headers['Event-Name']!, subclass: headers['Event-Subclass'], uuid: headers['Unique-ID'], at: Math.floor(micros / 1000), headers: new Map(Object.entries(headers)), body: '' };
}

describe('sofia::gateway_state events (recorded)', () => {
  it('parses every recorded state change', () => {
    const parsed = recorded.gatewayState.map((e) => parseGatewayStateEvent(fsEvent(e)));
    expect(parsed.map((p) => [p?.name, p?.registration, p?.pingStatus, p?.lastStatus])).toEqual([
      ['carrier', 'TRYING', 'DOWN', null],
      ['carrier', 'FAILED', 'DOWN', '503 Service Unavailable'],
      ['carrier', 'FAIL_WAIT', 'DOWN', null],
      ['noreg', 'NOREG', 'DOWN', '503 Service Unavailable'],
      ['carrier', 'UNREGED', 'DOWN', null],
    ]);
    expect(parsed[1]!.at).toBe(Math.floor(Number(recorded.gatewayState[1]!['Event-Date-Timestamp']) / 1000));
  });

  it('ignores other events and rejects malformed gateway events', () => {
    expect(parseGatewayStateEvent(fsEvent(recorded.channels[0]!))).toBeNull();
    const good = recorded.gatewayState[0]!;
    expect(() => parseGatewayStateEvent(fsEvent({ ...good, State: 'SLEEPING' }))).toThrow(GatewayStateParseError);
    expect(() => parseGatewayStateEvent(fsEvent({ ...good, Gateway: 'a b;rm' }))).toThrow(/Gateway/);
    expect(() => parseGatewayStateEvent(fsEvent({ ...good, Status: '9999' }))).toThrow(/Status/);
    const { 'Ping-Status': _omit, ...noPing } = good;
    expect(() => parseGatewayStateEvent(fsEvent(noPing))).toThrow(/Ping-Status/);
  });
});

describe('sofia xmlstatus gateway (recorded)', () => {
  it('lists gateways with registration, ping and call counters', () => {
    expect(parseGatewayStatusXml(xmlStatus)).toEqual([
      { name: 'loop', profile: 'trunks', registration: 'NOREG', pingStatus: 'UP', pingFrequencySec: 5, callsInTotal: 0, callsOutTotal: 1 },
      { name: 'carrier', profile: 'trunks', registration: 'FAILED', pingStatus: 'DOWN', pingFrequencySec: 5, callsInTotal: 0, callsOutTotal: 0 },
    ]);
  });
  it('reads a single gateway and an empty list, and rejects errors and garbage', () => {
    const one = xmlStatus.replace(/<gateway>\s*<name>carrier[\s\S]*?<\/gateway>/, '');
    expect(parseGatewayStatusXml(one).map((g) => g.name)).toEqual(['loop']);
    expect(parseGatewayStatusXml('<?xml version="1.0" encoding="ISO-8859-1"?>\n<gateways>\n</gateways>\n')).toEqual([]);
    expect(() => parseGatewayStatusXml('-ERR no reply')).toThrow(GatewayStateParseError);
    expect(() => parseGatewayStatusXml('<gateways><gateway><name>x</name></gateway></gateways>')).toThrow(/gateway 0/);
    expect(() => parseGatewayStatusXml('not xml at all <')).toThrow(GatewayStateParseError);
  });
});

describe('trunk book', () => {
  it('counts live calls per gateway from recorded channel events and derives up/down', () => {
    let book = applyGatewayStatuses(emptyTrunkBook(), parseGatewayStatusXml(xmlStatus), 1000);
    const signals = recorded.channels.map((e) => gatewayChannelSignal(fsEvent(e)));
    // The outbound leg through sofia/gateway/loop carries sip_gateway_name; its inbound peer (ACL only) none.
    expect(signals.map((s) => s && [s.kind, s.gateway])).toEqual([['opened', 'loop'], null, ['closed', 'loop'], null]);
    book = applyGatewayChannel(book, signals[0]!);
    expect(trunkViews(book)).toMatchObject([
      { name: 'carrier', registration: 'FAILED', ping: 'down', status: 'down', callsInUse: 0 },
      { name: 'loop', registration: 'NOREG', ping: 'up', status: 'up', callsInUse: 1, callsOutTotal: 1 },
    ]);
    expect(applyGatewayChannel(book, signals[0]!)).toBe(book);
    book = applyGatewayChannel(book, signals[2]!);
    expect(trunkViews(book).find((t) => t.name === 'loop')!.callsInUse).toBe(0);
  });

  it('applies events on top of the list, remembers the last SIP answer, and replaces channels after a resync', () => {
    let book = applyGatewayStatuses(emptyTrunkBook(), parseGatewayStatusXml(xmlStatus), 1000);
    const failed = parseGatewayStateEvent(fsEvent(recorded.gatewayState[1]!))!;
    book = applyGatewayState(book, { ...failed, registration: 'REGED', pingStatus: 'UP', at: 5000 });
    expect(trunkViews(book).find((t) => t.name === 'carrier')).toMatchObject({ status: 'up', registration: 'REGED', lastStatus: '503 Service Unavailable', lastChange: new Date(5000).toISOString() });
    book = withGatewayChannels(book, new Map([['u1', 'carrier'], ['u2', 'carrier']]));
    expect(trunkViews(book).find((t) => t.name === 'carrier')!.callsInUse).toBe(2);
    // A gateway removed from the configuration disappears with the next full list.
    book = applyGatewayStatuses(book, parseGatewayStatusXml(xmlStatus).filter((g) => g.name === 'loop'), 6000);
    expect(trunkViews(book).map((t) => t.name)).toEqual(['loop']);
    // Known only from events: a failed ping (503) counts as down; without any ping answer the ping is unknown.
    const noreg = parseGatewayStateEvent(fsEvent(recorded.gatewayState[3]!))!;
    expect(trunkViews(applyGatewayState(emptyTrunkBook(), noreg))).toMatchObject([{ name: 'noreg', ping: 'down', status: 'down', callsInUse: 0 }]);
    expect(trunkViews(applyGatewayState(emptyTrunkBook(), { ...noreg, lastStatus: null }))).toMatchObject([{ name: 'noreg', ping: 'unknown', status: 'up' }]);
  });
});
