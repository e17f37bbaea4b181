import fs from 'node:fs';
import path from 'node:path';
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import '../../src/esl/modesl-hardening.ts';
import { REPO_ROOT } from '../../src/config/config.ts';
import { apiResponse, commandReply, disconnectNotice, encodePlainValue } from '../esl-peer/wire.ts';

/**
 * Checks the ESL code against the wire traces recorded from a real FreeSWITCH
 * 1.10.12 (../shared/fixtures/esl): the hardened modesl parser must read every
 * recorded message, and the test peer must encode replies and plain events
 * byte for byte as FreeSWITCH does.
 */
const FIXTURES = path.join(REPO_ROOT, '..', 'shared', 'fixtures', 'esl');
const present = fs.existsSync(FIXTURES);
if (!present) console.log(`ESL fixture checks skipped: ${FIXTURES} not found`);

interface Rec { seq: number; conn: string; dir: string; headers: Record<string, string>; body: string | null }
const load = (f: string): Rec[] => fs.readFileSync(path.join(FIXTURES, f), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Rec);
const files = present ? fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.jsonl')) : [];

/** Rebuilds the exact bytes of one received message from its jsonl record. */
function wire(r: Rec): string {
  const head = Object.entries(r.headers).map(([k, v]) => `${k}: ${v}`).join('\n');
  return `${head}\n\n${r.body ?? ''}`;
}

const require = createRequire(import.meta.url);
const Parser = require('modesl/lib/esl/Parser.js') as new (s: EventEmitter) => EventEmitter;

describe.skipIf(!present)('fidelity to recorded FreeSWITCH traces', () => {
  it.each(files)('modesl (hardened) parses every message of %s, in random chunks', (file) => {
    const recs = load(file).filter((r) => r.dir === 'in');
    const byConn = new Map<string, Rec[]>();
    for (const r of recs) byConn.set(r.conn, [...(byConn.get(r.conn) ?? []), r]);
    for (const list of byConn.values()) {
      const socket = new EventEmitter();
      const parser = new Parser(socket);
      const seen: { type: string; name: string | null; uuid: string | null; body: string }[] = [];
      parser.on('esl::event', (event: { getHeader(n: string): string | null; getBody(): string }, headers: Record<string, string>) => {
        seen.push({ type: headers['Content-Type'] ?? '', name: event.getHeader('Event-Name'), uuid: event.getHeader('Unique-ID'), body: event.getBody() });
      });
      const bytes = Buffer.from(list.map(wire).join(''), 'utf8');
      for (let i = 0; i < bytes.length; ) {
        const n = 1 + Math.floor(Math.random() * 3000);
        socket.emit('data', bytes.subarray(i, i + n));
        i += n;
      }
      expect(seen).toHaveLength(list.length);
      list.forEach((r, i) => {
        const got = seen[i]!;
        expect(got.type).toBe(r.headers['Content-Type']);
        if (r.headers['Content-Type'] === 'text/event-json') {
          const json = JSON.parse(r.body!) as Record<string, string>;
          expect(got.name).toBe(json['Event-Name']);
          expect(got.uuid ?? undefined).toBe(json['Unique-ID']);
        }
        if (r.headers['Content-Type'] === 'api/response') expect(got.body).toBe(r.body);
      });
    }
  });

  it('the test peer encodes replies, api responses and disconnect notices byte for byte', () => {
    let checked = 0;
    for (const file of files) {
      for (const r of load(file).filter((x) => x.dir === 'in')) {
        const type = r.headers['Content-Type'];
        if (type === 'api/response') {
          expect(apiResponse(r.body ?? '')).toBe(wire(r));
          checked++;
        } else if (type === 'command/reply' && Object.keys(r.headers).length === 2) {
          expect(commandReply(r.headers['Reply-Text']!)).toBe(wire(r));
          checked++;
        } else if (type === 'text/disconnect-notice' && !r.headers['Content-Disposition']) {
          expect(disconnectNotice()).toBe(wire(r));
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(50);
  });

  it('the test peer URL-encodes plain event headers exactly as FreeSWITCH does', () => {
    let checked = 0;
    for (const file of files) {
      for (const r of load(file).filter((x) => x.dir === 'in' && x.headers['Content-Type'] === 'text/event-plain')) {
        const inner = r.body!;
        const head = inner.slice(0, inner.indexOf('\n\n') === -1 ? inner.length : inner.indexOf('\n\n'));
        for (const line of head.split('\n')) {
          const i = line.indexOf(': ');
          if (i === -1) continue;
          const raw = line.slice(i + 2);
          let decoded: string;
          try {
            decoded = decodeURIComponent(raw);
          } catch {
            continue;
          }
          expect(encodePlainValue(decoded)).toBe(raw);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });
});
