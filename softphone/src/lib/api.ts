import type {
  AgentStatus,
  AgentView,
  CustomerView,
  Health,
  Locale,
  QueueView,
  SessionUser,
  SipAccount,
} from './types';

export interface ApiIssue {
  path: string;
  message: string;
}

/** An error answer of the API: {error: {code, message, issues?}}. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: ApiIssue[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      // No content-type without a body: servers reject an empty JSON body.
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new ApiError(0, 'network_error', err instanceof Error ? err.message : String(err));
  }

  const text = await res.text();
  let data: unknown = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
  }

  if (!res.ok) {
    const error = (data as { error?: { code?: string; message?: string; issues?: ApiIssue[] } } | undefined)?.error;
    throw new ApiError(
      res.status,
      error?.code ?? `http_${res.status}`,
      error?.message ?? (res.statusText || `HTTP ${res.status}`),
      Array.isArray(error?.issues) ? error.issues : [],
    );
  }
  return data as T;
}

export interface AgentInput {
  login: string;
  displayName: string;
  extension: string;
  password: string;
}

export interface QueueInput {
  name: string;
  inboundNumber?: string | null;
  ringTimeoutSec?: number;
  maxWaitSec?: number;
  wrapUpSec?: number;
  noAgentsAction?: QueueView['noAgentsAction'];
}

export interface CustomerInput {
  name: string;
  phone: string;
  company?: string;
  notes?: string;
}

export const api = {
  login: (login: string, password: string) =>
    request<{ user: SessionUser }>('POST', '/api/auth/login', { login, password }).then((r) => r.user),
  logout: () => request<void>('POST', '/api/auth/logout'),
  me: () => request<{ user: SessionUser }>('GET', '/api/me').then((r) => r.user),
  setLocale: (locale: Locale) => request<{ user: SessionUser }>('PATCH', '/api/me', { locale }).then((r) => r.user),
  health: () => request<Health>('GET', '/api/health'),

  sipAccount: () => request<SipAccount>('GET', '/api/agent/sip'),
  setAgentState: (status: 'ready' | 'not_ready', reason?: string) =>
    request<{ status: AgentStatus }>('POST', '/api/agent/state', reason ? { status, reason } : { status }),

  agents: {
    list: () => request<AgentView[]>('GET', '/api/agents'),
    create: (input: AgentInput) => request<AgentView>('POST', '/api/agents', input),
    update: (id: string, input: Partial<Omit<AgentInput, 'login'>>) =>
      request<AgentView>('PATCH', `/api/agents/${encodeURIComponent(id)}`, input),
    remove: (id: string) => request<void>('DELETE', `/api/agents/${encodeURIComponent(id)}`),
  },

  queues: {
    list: () => request<QueueView[]>('GET', '/api/queues'),
    create: (input: QueueInput) => request<QueueView>('POST', '/api/queues', input),
    update: (id: string, input: Partial<QueueInput>) =>
      request<QueueView>('PATCH', `/api/queues/${encodeURIComponent(id)}`, input),
    setMembers: (id: string, agentIds: string[]) =>
      request<QueueView>('PUT', `/api/queues/${encodeURIComponent(id)}/agents`, { agentIds }),
    remove: (id: string) => request<void>('DELETE', `/api/queues/${encodeURIComponent(id)}`),
  },

  customers: {
    list: () => request<CustomerView[]>('GET', '/api/customers'),
    create: (input: CustomerInput) => request<CustomerView>('POST', '/api/customers', input),
  },
};
