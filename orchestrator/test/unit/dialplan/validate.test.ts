import { describe, expect, it } from 'vitest';
import { blockingIssues, extensionLoops, validateDialplan, type DialplanIssue } from '../../../src/dialplan/validate.ts';
import { withItem } from '../../../src/dialplan/changes.ts';
import { AGENT_LI, FLOW_DRAFT, FLOW_MAIN, QUEUE_SALES, QUEUE_SUPPORT, dialplan, item, refs } from './fixtures.ts';

const summary = (issues: DialplanIssue[]) => issues.map((i) => `${i.severity} ${i.code} ${i.kind}[${i.label}].${i.field}`);

describe('dialplan validation', () => {
  it('accepts a sound dialplan without issues', () => {
    const d = dialplan({
      inboundNumbers: [
        { number: '4008001234', target: { kind: 'ivr', flowId: FLOW_MAIN } },
        { number: '4008001235', target: { kind: 'queue', queueId: QUEUE_SUPPORT } },
        { number: '40080099XX', position: 10, target: { kind: 'extension', extension: '8000' } },
        { number: '4008.', position: 20, target: { kind: 'announcement', announcement: 'not_in_service' } },
      ],
      extensions: [
        { extension: '8000', target: { kind: 'extension', extension: '1001' } },
        { extension: '9196', target: { kind: 'echo' } },
        { extension: '8100', target: { kind: 'external', number: '13800138000' } },
      ],
      outboundRoutes: [
        { pattern: '1[3-9]XXXXXXXXX', position: 10, gateway: 'carrier', callerId: { mode: 'pool', numbers: ['4008001234', '4008001235'] } },
        { pattern: '0X.', position: 20, gateway: 'backup', stripDigits: 1, prepend: '+86' },
      ],
      blacklist: [
        { number: '13900001111', action: 'reject', reason: 'abusive' },
        { number: '170X.', position: 10, action: 'announcement' },
      ],
    });
    expect(summary(validateDialplan(d, refs))).toEqual([]);
  });

  it('names the item and the field of every problem', () => {
    const d = dialplan({
      inboundNumbers: [
        { number: '4000', target: { kind: 'queue', queueId: QUEUE_SUPPORT } },
        { number: '5000', target: { kind: 'queue', queueId: '99999999-9999-4999-8999-999999999999' } },
        { number: '5001', target: { kind: 'ivr', flowId: FLOW_DRAFT } },
        { number: '5002', target: { kind: 'extension', extension: '7777' } },
      ],
      outboundRoutes: [{ pattern: '0X.', gateway: 'nowhere' }],
    });
    const issues = validateDialplan(d, refs);
    expect(summary(issues)).toEqual([
      'error conflict inboundNumbers[4000].number',
      'error unknown_reference inboundNumbers[5000].target.queueId',
      'warning unpublished_flow inboundNumbers[5001].target.flowId',
      'error unknown_reference inboundNumbers[5002].target.extension',
      'error unknown_reference outboundRoutes[0X.].gateway',
    ]);
    expect(issues[0]!.message).toBe('inbound number 4000: number: 4000 is already the inbound number of queue 销售');
    expect(issues[4]!.message).toBe('outbound route 0X.: gateway: unknown gateway nowhere (known: backup, carrier)');
  });

  it('finds duplicates, bad patterns and unreachable (shadowed) items', () => {
    const d = dialplan({
      inboundNumbers: [
        { number: '5100', target: { kind: 'reject' } },
        { number: '5100', target: { kind: 'reject' } },
        { number: '51XX', position: 1, target: { kind: 'reject' } },
        { number: '510X', position: 2, target: { kind: 'reject' } },
        { number: '5[1]XX', position: 3, target: { kind: 'reject' } },
      ],
      outboundRoutes: [
        { pattern: 'X.', position: 1, gateway: 'carrier' },
        { pattern: '110', position: 2, gateway: 'carrier' },
        { pattern: '0X.', position: 3, gateway: 'carrier', enabled: false },
      ],
    });
    expect(summary(validateDialplan(d, refs))).toEqual([
      'error duplicate inboundNumbers[5100].number',
      'error shadowed inboundNumbers[510X].number',
      'error duplicate inboundNumbers[5[1]XX].number',
      'error shadowed outboundRoutes[110].pattern',
    ]);
    // An exact inbound number is tried before patterns: 51XX does not shadow 5100.
    const message = validateDialplan(d, refs).find((i) => i.label === '110')!.message;
    expect(message).toBe('outbound route 110: pattern: unreachable: every number it matches is taken first by outbound route X. (position 1)');
  });

  it('rejects pattern syntax with the reason', () => {
    const d = dialplan({ outboundRoutes: [{ pattern: '0X.', gateway: 'carrier' }] });
    (d.outboundRoutes[0] as { pattern: string }).pattern = '0x.';
    const [issue] = validateDialplan(d, refs);
    expect(issue).toMatchObject({ code: 'pattern', field: 'pattern', severity: 'error' });
    expect(issue!.message).toMatch(/capitals/);
  });

  it('finds loops between extensions and names every extension in them', () => {
    const d = dialplan({
      extensions: [
        { extension: '8001', target: { kind: 'extension', extension: '8002' } },
        { extension: '8002', target: { kind: 'extension', extension: '8003' } },
        { extension: '8003', target: { kind: 'extension', extension: '8001' } },
        { extension: '8004', target: { kind: 'extension', extension: '8004' } },
        { extension: '8005', target: { kind: 'extension', extension: '8001' } },
      ],
    });
    expect(extensionLoops(d.extensions).map((l) => l.map((e) => e.extension))).toEqual([['8001', '8002', '8003'], ['8004']]);
    const loops = validateDialplan(d, refs).filter((i) => i.code === 'loop');
    expect(loops.map((i) => i.label)).toEqual(['8001', '8002', '8003', '8004']);
    expect(loops[0]!.message).toBe('extension 8001: target.extension: loop 8001 → 8002 → 8003 → 8001');
    expect(loops[0]!.related).toHaveLength(2);
  });

  it('checks extensions against agents, and their targets', () => {
    const d = dialplan({
      extensions: [
        { extension: '1001', target: { kind: 'echo' } },
        { extension: '8001', target: { kind: 'agent', agentId: QUEUE_SALES } },
        { extension: '8002', target: { kind: 'agent', agentId: AGENT_LI } },
        { extension: '8003', target: { kind: 'external', number: '13800138000' } },
      ],
    });
    expect(summary(validateDialplan(d, refs))).toEqual([
      'error conflict extensions[1001].extension',
      'error unknown_reference extensions[8001].target.agentId',
      'warning no_outbound_route extensions[8003].target.number',
    ]);
  });

  it('checks outbound routes: digits stripped, caller-ID pools', () => {
    const d = dialplan({
      outboundRoutes: [
        { pattern: '0XX', gateway: 'carrier', stripDigits: 3 },
        { pattern: '+86X.', position: 1, gateway: 'carrier', stripDigits: 3, callerId: { mode: 'pool', numbers: ['4008001234', '4008001234'] } },
      ],
    });
    expect(summary(validateDialplan(d, refs))).toEqual([
      'error strip_too_long outboundRoutes[0XX].stripDigits',
      'error duplicate outboundRoutes[+86X.].callerId.numbers',
    ]);
  });

  it('blacklist: a broader entry with the same action makes a narrower one redundant; a different action makes it unreachable; expired entries do not count', () => {
    const d = dialplan({
      blacklist: [
        { number: '170X.', position: 1, action: 'reject' },
        { number: '1701X.', position: 2, action: 'reject' },
        { number: '1702X.', position: 3, action: 'announcement' },
        { number: '171X.', position: 4, action: 'reject', expiresAt: '2026-02-01T00:00:00+08:00' },
        { number: '1711X.', position: 5, action: 'announcement' },
      ],
    });
    expect(summary(validateDialplan(d, refs))).toEqual([
      'warning redundant blacklist[1701X.].number',
      'error shadowed blacklist[1702X.].number',
      'warning expired blacklist[171X.].expiresAt',
    ]);
    expect(d.blacklist[3]!.expiresAt).toBe('2026-01-31T16:00:00.000Z');
  });

  it('a change is blocked by the errors it introduces or touches, not by older errors elsewhere', () => {
    const base = dialplan({
      inboundNumbers: [{ number: '5000', target: { kind: 'queue', queueId: '99999999-9999-4999-8999-999999999999' } }],
      outboundRoutes: [{ pattern: '1XX.', position: 10, gateway: 'carrier' }],
    });
    const before = validateDialplan(base, refs);
    expect(before).toHaveLength(1);
    // An unrelated new DID: the old dangling queue does not block it.
    const did = item('inboundNumbers', { number: '5001', target: { kind: 'reject' } });
    const ok = withItem(base, 'inboundNumbers', did.id, did);
    expect(blockingIssues(before, validateDialplan(ok, refs), new Set([did.id]))).toEqual([]);
    // A broader route placed first makes the existing one unreachable: blocked, on the other route.
    const broad = item('outboundRoutes', { pattern: 'X.', position: 1, gateway: 'carrier' });
    const bad = withItem(base, 'outboundRoutes', broad.id, broad);
    const blocking = blockingIssues(before, validateDialplan(bad, refs), new Set([broad.id]));
    expect(summary(blocking)).toEqual(['error shadowed outboundRoutes[1XX.].pattern']);
    expect(blocking[0]!.related).toEqual([broad.id]);
    // Editing the broken DID itself must fix it.
    const edited = withItem(base, 'inboundNumbers', base.inboundNumbers[0]!.id, { ...base.inboundNumbers[0]!, description: 'x' });
    expect(blockingIssues(before, validateDialplan(edited, refs), new Set([base.inboundNumbers[0]!.id]))).toHaveLength(1);
    // Deleting an extension a DID points at: the DID's new error blocks the deletion.
    const ext = dialplan({ extensions: [{ extension: '8000', target: { kind: 'echo' } }], inboundNumbers: [{ number: '5002', target: { kind: 'extension', extension: '8000' } }] });
    const gone = withItem(ext, 'extensions', ext.extensions[0]!.id, null);
    expect(summary(blockingIssues(validateDialplan(ext, refs), validateDialplan(gone, refs), new Set([ext.extensions[0]!.id])))).toEqual([
      'error unknown_reference inboundNumbers[5002].target.extension',
    ]);
  });
});
