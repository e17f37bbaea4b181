import fs from 'node:fs';
import path from 'node:path';

const PCAP_DIR = '/usr/share/sip-tester';
const PCAP_NAME: Record<string, string> = { '*': 'star', '#': 'pound' };

/**
 * A sipp scenario for a caller who dials `service` from `callerNumber`, waits
 * `firstPauseMs` after the answer, then presses keys (RFC 2833, sipp's recorded
 * telephone-event pcaps) group by group, and finally waits for FreeSWITCH's BYE.
 * Returns the path of the scenario file written into `dir`.
 * The same key twice in a row replays identical RTP packets, which FreeSWITCH
 * takes for one event: keep repeated keys apart.
 */
export function dtmfCallerScenario(o: { dir: string; name: string; callerNumber: string; firstPauseMs: number; keys: { digits: string; pauseAfterMs: number }[] }): string {
  if (!/^[0-9]{3,20}$/.test(o.callerNumber)) throw new Error('caller number: digits only');
  const presses = o.keys
    .map(({ digits, pauseAfterMs }) => {
      const each = [...digits].map((d) => {
        if (!/^[0-9*#]$/.test(d)) throw new Error(`not a DTMF key: ${d}`);
        const pcap = path.join(PCAP_DIR, `dtmf_2833_${PCAP_NAME[d] ?? d}.pcap`);
        return `  <nop><action><exec play_pcap_audio="${pcap}"/></action></nop>\n  <pause milliseconds="400"/>`;
      });
      return `${each.join('\n')}\n  <pause milliseconds="${pauseAfterMs}"/>`;
    })
    .join('\n');
  const from = `"Customer" <sip:${o.callerNumber}@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]`;
  const xml = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="${o.name}">
  <send retrans="500">
    <![CDATA[
      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: ${from}
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: sip:${o.callerNumber}@[local_ip]:[local_port]
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=user1 53655765 2353687637 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 0 101
      a=rtpmap:0 PCMU/8000
      a=rtpmap:101 telephone-event/8000
      a=fmtp:101 0-15
    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>
  <recv response="200" rtd="true"/>
  <send>
    <![CDATA[
      ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: ${from}
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Contact: sip:${o.callerNumber}@[local_ip]:[local_port]
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <pause milliseconds="${o.firstPauseMs}"/>
${presses}
  <recv request="BYE" timeout="60000"/>
  <send>
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0
    ]]>
  </send>
</scenario>
`;
  const file = path.join(o.dir, `${o.name}.xml`);
  fs.writeFileSync(file, xml);
  return file;
}
