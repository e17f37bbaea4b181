import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';

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
  return document((doc) => {
    const ext = doc
      .ele('section', { name: 'dialplan', description: 'contact-center routes' })
      .ele('context', { name: context })
      .ele('extension', { name: `cc_route_${dialedNumber}` });
    const cond = ext.ele('condition', { field: 'destination_number', expression: `^${dialedNumber.replace(/\+/g, '\\+')}$` });
    cond.ele('action', { application: 'set', data: `cc_queue_id=${queueId}` });
    if (holdMusic) cond.ele('action', { application: 'set', data: `cc_queue_music=${holdMusic}` });
    cond.ele('action', { application: 'transfer', data: `${dialedNumber} XML cc_inbound` });
  });
}
