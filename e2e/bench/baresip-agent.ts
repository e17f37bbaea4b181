import fs from 'node:fs';
import path from 'node:path';
import { freePort, start, type Spawned } from '../support/platform.ts';

export interface BaresipAccount {
  extension: string;
  domain: string;
  authorizationUser: string;
  password: string;
}

/**
 * A headless baresip softphone that registers one agent extension over plain
 * UDP SIP to FreeSWITCH's agents profile and answers every call at once
 * (answermode=auto). No sound card: player and source are one aubridge
 * loopback device, so FreeSWITCH hears its own audio back.
 */
export async function startBaresipAgent(o: {
  account: BaresipAccount;
  agentSipPort: number;
  dir: string;
  rtpPorts: [number, number];
}): Promise<Spawned & { sipPort: number; dir: string }> {
  fs.mkdirSync(o.dir, { recursive: true });
  const sipPort = await freePort();
  const config = [
    'poll_method epoll',
    `sip_listen 127.0.0.1:${sipPort}`,
    'call_local_timeout 120',
    'call_max_calls 4',
    'audio_player aubridge,nobody',
    'audio_source aubridge,nobody',
    'audio_alert aubridge,nobody',
    'audio_buffer 20-160',
    `rtp_ports ${o.rtpPorts[0]}-${o.rtpPorts[1]}`,
    'rtcp_mux no',
    'jitter_buffer_delay 5-10',
    'module_path /usr/lib/baresip/modules',
    'module g711.so',
    'module aubridge.so',
    'module_tmp account.so',
    'module_app menu.so',
    '',
  ].join('\n');
  fs.writeFileSync(path.join(o.dir, 'config'), config);
  const a = o.account;
  // The password goes into the accounts file; keep it in the (temporary) config dir only.
  fs.writeFileSync(
    path.join(o.dir, 'accounts'),
    `<sip:${a.extension}@${a.domain}>;auth_user=${a.authorizationUser};auth_pass=${a.password};outbound="sip:127.0.0.1:${o.agentSipPort}";regint=60;answermode=auto;audio_codecs=PCMU,PCMA\n`,
    { mode: 0o600 },
  );
  fs.writeFileSync(path.join(o.dir, 'contacts'), '');
  const spawned = start('baresip', ['-4', '-f', o.dir], {}, path.join(o.dir, 'baresip.log'));
  return Object.assign(spawned, { sipPort, dir: o.dir });
}
