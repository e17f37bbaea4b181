/**
 * modesl parses the wire in socket 'data' handlers. Two of its parser helpers
 * misbehave on input FreeSWITCH can send or a broken peer might send:
 *  - header values are passed to decodeURIComponent, which throws on a lone '%'
 *    and would crash the process from inside the socket handler;
 *  - the end of the header block is searched byte by byte in JavaScript.
 * We replace both with safe, native equivalents once, at import time.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const Parser = require('modesl/lib/esl/Parser.js') as {
  prototype: {
    buffer: Buffer;
    _indexOfHeaderEnd(this: { buffer: Buffer }): number;
    _parseHeaderText(txt: string): Record<string, string | number>;
  };
};

export function safeDecode(value: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

Parser.prototype._indexOfHeaderEnd = function indexOfHeaderEnd(this: { buffer: Buffer }) {
  return this.buffer.indexOf('\n\n');
};

Parser.prototype._parseHeaderText = function parseHeaderText(txt: string) {
  const headers: Record<string, string | number> = {};
  for (const line of txt.split('\n')) {
    const colon = line.indexOf(': ');
    const key = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : safeDecode(line.slice(colon + 2));
    if (key === 'Content-Length') {
      const length = Number.parseInt(value, 10);
      headers[key] = Number.isFinite(length) && length >= 0 ? length : 0;
    } else if (key) {
      headers[key] = value;
    }
  }
  return headers;
};

