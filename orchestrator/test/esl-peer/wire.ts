/**
 * ESL wire encoding as FreeSWITCH 1.10 writes it (checked against the recorded
 * traces in ../shared/fixtures/esl by test/esl-peer-fidelity.test.ts).
 */

export const DISCONNECT_BODY = 'Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n';

export function authRequest(): string {
  return 'Content-Type: auth/request\n\n';
}

export function commandReply(replyText: string, extra: Record<string, string> = {}): string {
  const lines = ['Content-Type: command/reply', `Reply-Text: ${replyText}`];
  for (const [k, v] of Object.entries(extra)) lines.push(`${k}: ${v}`);
  return `${lines.join('\n')}\n\n`;
}

export function apiResponse(body: string): string {
  return `Content-Type: api/response\nContent-Length: ${Buffer.byteLength(body)}\n\n${body}`;
}

export function disconnectNotice(): string {
  return `Content-Type: text/disconnect-notice\nContent-Length: ${Buffer.byteLength(DISCONNECT_BODY)}\n\n${DISCONNECT_BODY}`;
}

const URL_UNSAFE = new Set([...'\r\n #%&+:;<=>?@[\\]^`{|}"'].map((c) => c.charCodeAt(0)));
const HEX = '0123456789ABCDEF';
const isHex = (b: number | undefined) => b !== undefined && HEX.includes(String.fromCharCode(b));

/**
 * Header values of plain events, encoded like switch_url_encode(): bytes below
 * ' ' or above '~' and those in SWITCH_URL_UNSAFE become %XX; an existing %XX
 * sequence is kept as it is.
 */
export function encodePlainValue(value: string): string {
  const bytes = Buffer.from(value, 'utf8');
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    const keptEscape = b === 0x25 && isHex(bytes[i + 1]) && isHex(bytes[i + 2]);
    if (!keptEscape && (b < 0x20 || b > 0x7e || URL_UNSAFE.has(b))) {
      out += `%${HEX[b >> 4]}${HEX[b & 15]}`;
    } else {
      out += String.fromCharCode(b);
    }
  }
  return out;
}

export type EventBody = Record<string, string>;

export function eventJson(event: EventBody): string {
  const body = JSON.stringify(event);
  return `Content-Length: ${Buffer.byteLength(body)}\nContent-Type: text/event-json\n\n${body}`;
}

export function eventPlain(event: EventBody): string {
  const { _body, ...headers } = event;
  let text = Object.entries(headers)
    .map(([k, v]) => `${k}: ${encodePlainValue(v)}`)
    .join('\n');
  if (_body !== undefined) {
    text += `\nContent-Length: ${Buffer.byteLength(_body)}\n\n${_body}`;
  } else {
    text += '\n\n';
  }
  return `Content-Length: ${Buffer.byteLength(text)}\nContent-Type: text/event-plain\n\n${text}`;
}
