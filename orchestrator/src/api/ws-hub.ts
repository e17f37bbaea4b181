import type { WebSocket } from 'ws';
import type { Logger } from 'pino';
import type { ClientMessage, ServerMessage, SessionUser } from './protocol.ts';
import { clientMessage } from './schemas.ts';

export interface HubHandlers {
  /** The first socket of an agent opened. */
  onAgentOnline(agentId: string): void;
  /** The last socket of an agent closed and stayed closed for the grace period. */
  onAgentOffline(agentId: string): void;
  onMessage(user: SessionUser, message: ClientMessage): void;
}

/**
 * Tracks the browser WebSockets of logged-in users and pushes server messages
 * to one agent, one user, or everybody. Every incoming frame is validated.
 */
export class WsHub {
  private readonly byUser = new Map<string, Set<WebSocket>>();
  private readonly roleOfUser = new Map<string, SessionUser['role']>();
  private readonly orgOfUser = new Map<string, string>();
  private readonly agentOfUser = new Map<string, string>();
  private readonly offlineTimers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly handlers: HubHandlers,
    private readonly logger: Logger,
    private readonly offlineGraceMs = 5000,
  ) {}

  attach(socket: WebSocket, user: SessionUser, hello: ServerMessage): void {
    let set = this.byUser.get(user.id);
    const first = !set || set.size === 0;
    if (!set) this.byUser.set(user.id, (set = new Set()));
    set.add(socket);
    this.roleOfUser.set(user.id, user.role);
    this.orgOfUser.set(user.id, user.organizationId);
    send(socket, hello);
    if (user.agentId) {
      this.agentOfUser.set(user.id, user.agentId);
      const pending = this.offlineTimers.get(user.agentId);
      if (pending) {
        clearTimeout(pending);
        this.offlineTimers.delete(user.agentId);
      }
      // Logging in is a no-op for an agent who is still logged in (a page reload within the grace period).
      if (first) this.handlers.onAgentOnline(user.agentId);
    }
    socket.on('message', (data, isBinary) => {
      if (isBinary) return send(socket, { type: 'error', code: 'invalid_message', message: 'binary frames are not accepted' });
      let json: unknown;
      try {
        json = JSON.parse(data.toString());
      } catch {
        return send(socket, { type: 'error', code: 'invalid_message', message: 'not JSON' });
      }
      const parsed = clientMessage.safeParse(json);
      if (!parsed.success) {
        return send(socket, {
          type: 'error',
          code: 'invalid_message',
          message: parsed.error.issues.map((i) => `${i.path.join('.') || 'message'}: ${i.message}`).join('; '),
        });
      }
      try {
        this.handlers.onMessage(user, parsed.data);
      } catch (err) {
        send(socket, { type: 'error', code: (err as Error).name || 'error', message: (err as Error).message });
      }
    });
    socket.on('close', () => this.detach(socket, user));
    socket.on('error', (err) => this.logger.debug({ err }, 'websocket error'));
  }

  private detach(socket: WebSocket, user: SessionUser): void {
    const set = this.byUser.get(user.id);
    set?.delete(socket);
    if (set && set.size > 0) return;
    this.byUser.delete(user.id);
    this.roleOfUser.delete(user.id);
    this.orgOfUser.delete(user.id);
    const agentId = this.agentOfUser.get(user.id);
    if (!agentId) return;
    this.agentOfUser.delete(user.id);
    this.offlineTimers.set(
      agentId,
      setTimeout(() => {
        this.offlineTimers.delete(agentId);
        this.handlers.onAgentOffline(agentId);
      }, this.offlineGraceMs),
    );
  }

  isAgentOnline(agentId: string): boolean {
    for (const [userId, a] of this.agentOfUser) if (a === agentId && (this.byUser.get(userId)?.size ?? 0) > 0) return true;
    return false;
  }

  toAgent(agentId: string, message: ServerMessage): void {
    for (const [userId, a] of this.agentOfUser) if (a === agentId) this.toUser(userId, message);
  }

  toUser(userId: string, message: ServerMessage): void {
    for (const s of this.byUser.get(userId) ?? []) send(s, message);
  }

  /** Organizations that have a connected user with one of `roles`. */
  organizationsWith(roles: readonly SessionUser['role'][]): Set<string> {
    const orgs = new Set<string>();
    for (const [userId, role] of this.roleOfUser) if (roles.includes(role)) orgs.add(this.orgOfUser.get(userId)!);
    return orgs;
  }

  /** To every connected user of `organizationId` whose role is one of `roles`. */
  toRoles(organizationId: string, roles: readonly SessionUser['role'][], message: ServerMessage): void {
    for (const [userId, role] of this.roleOfUser) {
      if (roles.includes(role) && this.orgOfUser.get(userId) === organizationId) this.toUser(userId, message);
    }
  }

  broadcast(message: ServerMessage): void {
    for (const set of this.byUser.values()) for (const s of set) send(s, message);
  }

  close(): void {
    for (const t of this.offlineTimers.values()) clearTimeout(t);
    this.offlineTimers.clear();
    for (const set of this.byUser.values()) for (const s of set) s.close(1001, 'server shutting down');
  }
}

function send(socket: WebSocket, message: ServerMessage): void {
  if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
}
