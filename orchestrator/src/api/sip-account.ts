import type { SipAccount } from './protocol.ts';

/** Where softphones connect and which ICE servers they use (from the configuration). */
export type SipSettings = Pick<SipAccount, 'wsServers' | 'iceServers'>;

/** What a browser softphone needs to register an extension (agents' and supervisors' alike). */
export function sipAccountFor(account: { extension: string; sipDomain: string; password: string }, displayName: string, sip: SipSettings): SipAccount {
  return {
    uri: `sip:${account.extension}@${account.sipDomain}`,
    authorizationUser: account.extension,
    password: account.password,
    displayName,
    wsServers: sip.wsServers,
    iceServers: sip.iceServers,
  };
}
