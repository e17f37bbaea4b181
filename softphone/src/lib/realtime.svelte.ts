import type { ClientMessage, FreeswitchState, ServerMessage } from './types';

const PING_INTERVAL_MS = 25_000;
const MIN_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 30_000;

type Listener = (message: ServerMessage) => void;

/**
 * The push channel: GET /ws on the page's origin (cookie auth).
 * Reconnects with exponential backoff and pings every 25 s.
 */
export class Realtime {
  /** True while the socket is open. */
  connected = $state(false);
  /** FreeSWITCH state from the last hello/system message. */
  freeswitch = $state<FreeswitchState | null>(null);

  /** Called after the socket dropped (not after stop()); lets the app check the session. */
  onDrop: (() => void) | null = null;

  #socket: WebSocket | null = null;
  #listeners = new Set<Listener>();
  #attempt = 0;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #pingTimer: ReturnType<typeof setInterval> | undefined;
  #running = false;

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#connect();
  }

  stop(): void {
    this.#running = false;
    clearTimeout(this.#reconnectTimer);
    clearInterval(this.#pingTimer);
    const socket = this.#socket;
    this.#socket = null;
    socket?.close(1000, 'logout');
    this.connected = false;
  }

  /** Sends a message; returns false when the socket is not open. */
  send(message: ClientMessage): boolean {
    if (this.#socket?.readyState !== WebSocket.OPEN) return false;
    this.#socket.send(JSON.stringify(message));
    return true;
  }

  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #connect(): void {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const socket = new WebSocket(`${scheme}//${location.host}/ws`);
    this.#socket = socket;

    socket.addEventListener('open', () => {
      if (socket !== this.#socket) return;
      this.#attempt = 0;
      this.connected = true;
      clearInterval(this.#pingTimer);
      this.#pingTimer = setInterval(() => this.send({ type: 'ping' }), PING_INTERVAL_MS);
    });

    socket.addEventListener('message', (event) => {
      if (socket !== this.#socket || typeof event.data !== 'string') return;
      let message: ServerMessage;
      try {
        message = JSON.parse(event.data) as ServerMessage;
      } catch {
        return;
      }
      if (message.type === 'hello' || message.type === 'system') this.freeswitch = message.freeswitch;
      for (const listener of this.#listeners) listener(message);
    });

    socket.addEventListener('close', () => {
      if (socket !== this.#socket) return;
      this.#socket = null;
      this.connected = false;
      clearInterval(this.#pingTimer);
      if (!this.#running) return;
      this.onDrop?.();
      this.#scheduleReconnect();
    });
  }

  #scheduleReconnect(): void {
    const base = Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS * 2 ** this.#attempt);
    const delay = base * (0.8 + Math.random() * 0.4);
    this.#attempt++;
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = setTimeout(() => {
      if (this.#running) this.#connect();
    }, delay);
  }
}
