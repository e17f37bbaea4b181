import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import type { Announcement as DialplanAnnouncement } from '../dialplan/model.ts';
import type { RouteDecision, RouteStep } from '../dialplan/resolve.ts';
import { UUID_RE } from '../esl/commands.ts';

/**
 * Pure builders for the XML documents FreeSWITCH's mod_xml_curl fetches from the
 * orchestrator. Values are escaped by xmlbuilder2.
 */

function document(build: (doc: XMLBuilder) => void): string {
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele('document', { type: 'freeswitch/xml' });
  build(root);
  return root.end({ prettyPrint: true });
}

/** "Not found": FreeSWITCH then falls back to its static XML configuration. */
export function notFound(): string {
  return document((doc) => doc.ele('section', { name: 'result' }).ele('result', { status: 'not found' }));
}

export interface DirectoryUser {
  domain: string;
  extension: string;
  password: string;
  displayName: string;
  /** The dialplan context of calls the user places. */
  context: string;
}

export const AGENT_DIAL_STRING =
  '{^^:sip_invite_domain=${dialed_domain}:presence_id=${dialed_user}@${dialed_domain}}${sofia_contact(*/${dialed_user}@${dialed_domain})}';

export function directoryUser(u: DirectoryUser): string {
  return document((doc) => {
    const domain = doc.ele('section', { name: 'directory' }).ele('domain', { name: u.domain });
    domain.ele('params').ele('param', { name: 'dial-string', value: AGENT_DIAL_STRING });
    const user = domain.ele('groups').ele('group', { name: 'agents' }).ele('users').ele('user', { id: u.extension });
    user.ele('params').ele('param', { name: 'password', value: u.password });
    const vars = user.ele('variables');
    for (const [name, value] of [
      ['user_context', u.context],
      ['effective_caller_id_name', u.displayName],
      ['effective_caller_id_number', u.extension],
      ['cc_agent_extension', u.extension],
    ] as const) {
      vars.ele('variable', { name, value });
    }
  });
}

/** Routes a dialed number of the public context to a queue, through the static `cc_inbound` context. */
export function queueRoute(context: string, dialedNumber: string, queueId: string, holdMusic: string | null = null): string {
  return dialplanExtension('contact-center routes', context, `cc_route_${dialedNumber}`, dialedNumber, (action) => {
    action('set', `cc_queue_id=${queueId}`);
    if (holdMusic) action('set', `cc_queue_music=${holdMusic}`);
    action('transfer', `${dialedNumber} XML cc_inbound`);
  });
}

type AddAction = (application: string, data?: string) => void;

/** A dialplan document of one extension matching exactly `dialedNumber` in `context`; `actions` adds its actions in order. */
function dialplanExtension(description: string, context: string, name: string, dialedNumber: string, actions: (action: AddAction) => void): string {
  return document((doc) => {
    const cond = doc
      .ele('section', { name: 'dialplan', description })
      .ele('context', { name: context })
      .ele('extension', { name })
      .ele('condition', { field: 'destination_number', expression: `^${dialedNumber.replace(/\+/g, '\\+')}$` });
    actions((application, data) => cond.ele('action', data === undefined ? { application } : { application, data }));
  });
}

/** The static cc_diversions extension that plays each built-in announcement (and hangs up). */
const ANNOUNCEMENT_EXTENSIONS: Record<DialplanAnnouncement, string> = {
  not_in_service: 'cc_not_in_service',
  closed: 'cc_queue_closed',
  busy: 'cc_queue_overflow',
  blacklisted: 'cc_blacklisted',
};

const STEP_VARIABLE: Record<RouteStep['kind'], string> = {
  inboundNumbers: 'did',
  extensions: 'extension',
  outboundRoutes: 'route',
  blacklist: 'blacklist',
  queue: 'queue',
  agent: 'agent',
};

const NUMBER = /^\+?[0-9]{1,40}$/;
const SAFE_MUSIC = /^(tone_stream:\/\/[0-9A-Za-z(),.;=%-]{1,250}|\/[A-Za-z0-9_./-]{1,250}\.(wav|mp3))$/;

/**
 * A last check before a decision becomes dialplan XML: every value that lands in an
 * application's data must have the shape it was validated with (nothing FreeSWITCH
 * would expand or split). Anything odd is answered "not found" (the static dialplan).
 */
export function isSafeDecision(dialedNumber: string, d: RouteDecision): boolean {
  if (!NUMBER.test(dialedNumber) || !d.via.every((s) => UUID_RE.test(s.id))) return false;
  switch (d.kind) {
    case 'reject':
      return Number.isInteger(d.code) && d.code >= 400 && d.code <= 699;
    case 'announcement':
      return d.announcement in ANNOUNCEMENT_EXTENSIONS;
    case 'queue':
      return UUID_RE.test(d.queueId) && (d.holdMusic === null || (SAFE_MUSIC.test(d.holdMusic) && !d.holdMusic.includes('..')));
    case 'ivr':
      return UUID_RE.test(d.flowId);
    case 'extension':
      return /^[0-9]{2,10}$/.test(d.extension);
    case 'agent':
      return /^[0-9]{2,10}$/.test(d.extension) && /^[A-Za-z0-9.-]{1,253}$/.test(d.domain);
    case 'outbound':
      return /^[A-Za-z0-9_.-]{1,64}$/.test(d.gateway) && NUMBER.test(d.number) && (d.callerId === null || NUMBER.test(d.callerId));
    case 'external':
      return NUMBER.test(d.number);
    case 'echo':
      return true;
    case 'none':
      return false;
  }
}

/**
 * Outside legs are plain telephony (agents' legs are WebRTC: Opus, DTLS-SRTP), so the
 * gateway leg gets G.711 and plain RTP whatever leg it is bridged to.
 */
export const OUTSIDE_LEG_VARIABLES = 'absolute_codec_string=^^:PCMA:PCMU,rtp_secure_media=false';

/**
 * The dialplan for one call, from a decision of the dialplan tables (orchestrator/src/dialplan).
 * Every value in it has been validated (numbers, uuids, gateway names); xmlbuilder2 escapes it.
 */
export function routeDecision(context: string, dialedNumber: string, decision: RouteDecision): string {
  if (decision.kind === 'queue') return queueRoute(context, dialedNumber, decision.queueId, decision.holdMusic);
  return dialplanExtension('contact-center dialplan', context, `cc_dialplan_${decision.kind}`, dialedNumber, (action) => {
    // Which rows routed the call, for the logs and the channel's variables (cc_dialplan_did_id, …).
    for (const step of decision.via) action('set', `cc_dialplan_${STEP_VARIABLE[step.kind]}_id=${step.id}`);
    switch (decision.kind) {
      case 'reject':
        action('respond', String(decision.code));
        break;
      case 'announcement':
        action('transfer', `${ANNOUNCEMENT_EXTENSIONS[decision.announcement]} XML cc_diversions`);
        break;
      case 'ivr':
        // The contract with the IVR runtime (the cc_ivr context).
        action('set', `cc_ivr_flow_id=${decision.flowId}`);
        action('set', `cc_did=${dialedNumber}`);
        action('transfer', `${dialedNumber} XML cc_ivr`);
        break;
      case 'extension':
        action('transfer', `${decision.extension} XML default`);
        break;
      case 'agent':
        action('set', 'call_timeout=30');
        action('set', 'hangup_after_bridge=true');
        action('bridge', `user/${decision.extension}@${decision.domain}`);
        break;
      case 'outbound': {
        const vars = decision.callerId ? `${OUTSIDE_LEG_VARIABLES},origination_caller_id_number=${decision.callerId}` : OUTSIDE_LEG_VARIABLES;
        action('bridge', `{${vars}}sofia/gateway/${decision.gateway}/${decision.number}`);
        break;
      }
      case 'external':
        action('transfer', `${decision.number} XML cc_outbound`);
        break;
      case 'echo':
        action('answer');
        action('echo');
        break;
      case 'none':
        throw new Error('a "none" decision has no document: answer notFound()');
    }
  });
}
