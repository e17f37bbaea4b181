import type {
  AgentStatus,
  AgentView,
  CalendarInput,
  CalendarView,
  CustomerView,
  Health,
  Locale,
  MetricsView,
  NotReadyReason,
  QueueMember,
  QueueSettings,
  QueueView,
  Role,
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

export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  return send<T>(path, {
    method,
    // No content-type without a body: servers reject an empty JSON body.
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** Sends a request with the session cookie; answers its JSON body, or throws an ApiError (network_error when unreachable). */
export async function send<T>(path: string, init: RequestInit): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { ...init, credentials: 'same-origin' });
  } catch (err) {
    throw new ApiError(0, 'network_error', err instanceof Error ? err.message : String(err));
  }
  return readResponse<T>(res);
}

/** `?a=1&b=x` from the parameters that have a value (undefined, null and '' are left out); '' when none has. */
export function queryString(params: object): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** The JSON body of an answer, or the ApiError its error body describes. */
async function readResponse<T>(res: Response): Promise<T> {
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

/** POST /api/queues: a name and any subset of the settings (the server applies defaults). */
export type QueueInput = { name: string } & Partial<QueueSettings>;

/** PUT /api/queues/:id/agents: plain agent ids (tier 1, in order) or members with tier and position. */
export type QueueMembersInput = { agentIds: string[] } | { members: QueueMember[] };

export interface CustomerInput {
  name: string;
  phone: string;
  company?: string;
  notes?: string;
}

/** POST /api/users: a supervisor or an administrator (agents are created with their extension). */
export interface UserInput {
  login: string;
  displayName: string;
  password: string;
  role: Exclude<Role, 'agent'>;
}

/** The answer of POST /api/users (there is no list of users). */
export interface CreatedUser {
  id: string;
  login: string;
  displayName: string;
  role: Role;
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
    setSkills: (id: string, skills: AgentView['skills']) =>
      request<AgentView>('PUT', `/api/agents/${encodeURIComponent(id)}/skills`, { skills }),
  },

  queues: {
    list: () => request<QueueView[]>('GET', '/api/queues'),
    create: (input: QueueInput) => request<QueueView>('POST', '/api/queues', input),
    update: (id: string, input: Partial<QueueSettings>) =>
      request<QueueView>('PATCH', `/api/queues/${encodeURIComponent(id)}`, input),
    setMembers: (id: string, input: QueueMembersInput) =>
      request<QueueView>('PUT', `/api/queues/${encodeURIComponent(id)}/agents`, input),
    remove: (id: string) => request<void>('DELETE', `/api/queues/${encodeURIComponent(id)}`),
  },

  calendars: {
    list: () => request<CalendarView[]>('GET', '/api/calendars'),
    create: (input: CalendarInput) => request<CalendarView>('POST', '/api/calendars', input),
    update: (id: string, input: CalendarInput) =>
      request<CalendarView>('PUT', `/api/calendars/${encodeURIComponent(id)}`, input),
    remove: (id: string) => request<void>('DELETE', `/api/calendars/${encodeURIComponent(id)}`),
  },

  notReadyReasons: () => request<NotReadyReason[]>('GET', '/api/not-ready-reasons'),
  /** Adds or replaces a reason (by code); answers the whole list. */
  saveNotReadyReason: (reason: NotReadyReason) => request<NotReadyReason[]>('PUT', '/api/not-ready-reasons', reason),
  deleteNotReadyReason: (code: string) =>
    request<void>('DELETE', `/api/not-ready-reasons/${encodeURIComponent(code)}`),

  users: {
    create: (input: UserInput) => request<CreatedUser>('POST', '/api/users', input),
  },
  metrics: () => request<MetricsView>('GET', '/api/metrics'),

  customers: {
    list: () => request<CustomerView[]>('GET', '/api/customers'),
    create: (input: CustomerInput) => request<CustomerView>('POST', '/api/customers', input),
  },
};
