import type { Sql } from '../db/client.ts';
import type { ContactView, CustomerView, ScreenPop } from '../api/protocol.ts';

/** Digits only; a leading +86 / 0086 country code is dropped so that local and international forms match. */
export function normalizePhone(raw: string): string {
  const digits = raw.replace(/\D/g, '');
  if (digits.startsWith('0086')) return digits.slice(4);
  if (raw.trim().startsWith('+86') && digits.startsWith('86')) return digits.slice(2);
  return digits;
}

const CUSTOMER_COLUMNS = 'id, name, phone, company, notes, priority, dedicated_agent_id as "dedicatedAgentId"';

/** What routing learns from the CRM about a caller. */
export interface RoutingHints {
  priority: number;
  /** The customer's dedicated account manager, else the agent who last served this number (within `lastAgentDays`). */
  preferredAgentId: string | null;
}

export class CustomerRepository {
  constructor(private readonly sql: Sql) {}

  async list(organizationId: string, limit = 500): Promise<CustomerView[]> {
    const rows = await this.sql<CustomerView[]>`
      select ${this.sql.unsafe(CUSTOMER_COLUMNS)} from customers where organization_id = ${organizationId}
      order by name limit ${limit}`;
    return [...rows];
  }

  async create(organizationId: string, c: Omit<CustomerView, 'id'>): Promise<CustomerView> {
    const [row] = await this.sql<CustomerView[]>`
      insert into customers (organization_id, name, phone, company, notes, priority, dedicated_agent_id)
      values (${organizationId}, ${c.name}, ${normalizePhone(c.phone)}, ${c.company}, ${c.notes}, ${c.priority}, ${c.dedicatedAgentId})
      returning ${this.sql.unsafe(CUSTOMER_COLUMNS)}`;
    return row!;
  }

  /** What the agent's screen shows when a call from `callerNumber` is offered. */
  async screenPop(organizationId: string, callerNumber: string, excludeCallId: string): Promise<ScreenPop> {
    const phone = normalizePhone(callerNumber);
    if (!phone) return { customer: null, lastContacts: [] };
    const [customer] = await this.sql<CustomerView[]>`
      select ${this.sql.unsafe(CUSTOMER_COLUMNS)} from customers where organization_id = ${organizationId} and phone = ${phone}`;
    const contacts = await this.sql<{ at: Date; queue_name: string | null; agent_name: string | null; outcome: string; talk_seconds: string | null }[]>`
      select c.enqueued_at as at, q.name as queue_name, u.display_name as agent_name, c.outcome, c.talk_seconds
      from cdrs c left join queues q on q.id = c.queue_id left join agents a on a.id = c.agent_id left join users u on u.id = a.user_id
      where c.organization_id = ${organizationId} and c.caller_number in (${phone}, ${callerNumber}) and c.id <> ${excludeCallId}
        and c.outcome <> 'live'
      order by c.enqueued_at desc limit 5`;
    const lastContacts: ContactView[] = contacts.map((c) => ({
      at: c.at.toISOString(),
      queueName: c.queue_name,
      agentName: c.agent_name,
      outcome: c.outcome,
      talkSeconds: c.talk_seconds === null ? null : Number(c.talk_seconds),
    }));
    return { customer: customer ?? null, lastContacts };
  }

  async routingHints(organizationId: string, callerNumber: string, lastAgentDays = 30): Promise<RoutingHints> {
    const phone = normalizePhone(callerNumber);
    if (!phone) return { priority: 0, preferredAgentId: null };
    const [customer] = await this.sql<{ priority: number; dedicated_agent_id: string | null }[]>`
      select priority, dedicated_agent_id from customers where organization_id = ${organizationId} and phone = ${phone}`;
    if (customer?.dedicated_agent_id) return { priority: customer.priority, preferredAgentId: customer.dedicated_agent_id };
    const [last] = await this.sql<{ agent_id: string }[]>`
      select agent_id from cdrs
      where organization_id = ${organizationId} and caller_number in (${phone}, ${callerNumber}) and outcome = 'answered'
        and agent_id is not null and ended_at > now() - make_interval(days => ${lastAgentDays})
      order by ended_at desc limit 1`;
    return { priority: customer?.priority ?? 0, preferredAgentId: last?.agent_id ?? null };
  }
}
