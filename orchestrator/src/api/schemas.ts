import { z } from 'zod';

export const login = z.string().trim().regex(/^[A-Za-z0-9_.@-]{2,64}$/, '2-64 letters, digits, _ . @ -');
export const password = z.string().min(8, 'at least 8 characters').max(200);
export const displayName = z.string().trim().min(1).max(100);
export const extension = z.string().regex(/^[0-9]{2,10}$/, '2-10 digits');
export const inboundNumber = z.string().regex(/^\+?[0-9]{2,20}$/, '2-20 digits, optional leading +');
export const uuidParam = z.object({ id: z.uuid() });

export const loginBody = z.object({ login: z.string().min(1).max(64), password: z.string().min(1).max(200) });
export const meBody = z.object({ locale: z.enum(['zh-CN', 'en']) });
export const agentStateBody = z.object({ status: z.enum(['ready', 'not_ready']), reason: z.string().max(40).optional() });

export const newAgentBody = z.object({ login, displayName, extension, password });
export const agentPatchBody = z.object({ displayName, extension, password }).partial().refine((o) => Object.keys(o).length > 0, 'nothing to change');

const queueFields = {
  name: z.string().trim().min(1).max(100),
  inboundNumber: inboundNumber.nullable(),
  ringTimeoutSec: z.number().int().min(5).max(120),
  maxWaitSec: z.number().int().min(0).max(86400),
  wrapUpSec: z.number().int().min(0).max(3600),
  noAgentsAction: z.enum(['wait', 'announce_hangup']),
};
export const newQueueBody = z.object({
  name: queueFields.name,
  inboundNumber: queueFields.inboundNumber.default(null),
  ringTimeoutSec: queueFields.ringTimeoutSec.default(20),
  maxWaitSec: queueFields.maxWaitSec.default(600),
  wrapUpSec: queueFields.wrapUpSec.default(0),
  noAgentsAction: queueFields.noAgentsAction.default('wait'),
});
export const queuePatchBody = z.object(queueFields).partial();
export const queueMembersBody = z.object({ agentIds: z.array(z.uuid()).max(2000) });

export const newCustomerBody = z.object({
  name: z.string().trim().min(1).max(200),
  phone: z.string().regex(/^\+?[0-9 ()-]{3,30}$/, 'digits, optional + ( ) - and spaces'),
  company: z.string().trim().max(200).nullable().default(null),
  notes: z.string().trim().max(2000).nullable().default(null),
});

export const clientMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('agent.set_state'), status: z.enum(['ready', 'not_ready']), reason: z.string().max(40).optional() }),
  z.object({ type: z.literal('ping') }),
]);
