import { randomUUID } from 'node:crypto';
import { KIND_INFO, emptyDialplan, type Dialplan, type DialplanItem, type DialplanKind } from '../../../src/dialplan/model.ts';
import type { DialplanRefs } from '../../../src/dialplan/validate.ts';

export const QUEUE_SALES = '11111111-1111-4111-8111-111111111111';
export const QUEUE_SUPPORT = '22222222-2222-4222-8222-222222222222';
export const FLOW_MAIN = '33333333-3333-4333-8333-333333333333';
export const FLOW_DRAFT = '44444444-4444-4444-8444-444444444444';
export const AGENT_LI = '55555555-5555-4555-8555-555555555555';

export const refs: DialplanRefs = {
  queues: [
    { id: QUEUE_SALES, name: '销售', inboundNumber: '4000' },
    { id: QUEUE_SUPPORT, name: 'Support', inboundNumber: null },
  ],
  flows: [
    { id: FLOW_MAIN, name: 'Main menu', published: true },
    { id: FLOW_DRAFT, name: 'Draft', published: false },
  ],
  agents: [{ id: AGENT_LI, extension: '1001', name: '李雷' }],
  gateways: ['carrier', 'backup'],
  now: new Date('2026-03-01T08:00:00Z'),
};

/** An item of `kind` from partial input, through the same schema as the API (defaults applied). */
export function item<K extends DialplanKind>(kind: K, input: Record<string, unknown>): DialplanItem<K> {
  return KIND_INFO[kind].item.parse({ id: randomUUID(), ...input }) as DialplanItem<K>;
}

export function dialplan(parts: Partial<{ [K in DialplanKind]: Record<string, unknown>[] }>): Dialplan {
  const d = emptyDialplan();
  for (const [kind, items] of Object.entries(parts) as [DialplanKind, Record<string, unknown>[]][]) {
    (d[kind] as DialplanItem[]) = items.map((i) => item(kind, i));
  }
  return d;
}
