import JsSIP from 'jssip';
import type { RTCSession } from 'jssip/lib/RTCSession';
import type { RTCSessionEvent, UA } from 'jssip/lib/UA';
import type { SipAccount } from './types';

export type SipState = 'registered' | 'unregistered' | 'failed';

/** How long to wait before registering again after a failed registration. */
const REREGISTER_AFTER_FAILURE_MS = 15_000;

/** `header` reads any header of the INVITE (e.g. X-CC-Supervision for a supervisor's leg). */
export type IncomingSessionHandler = (session: RTCSession, callId: string | null, header: (name: string) => string | undefined) => void;

/** The JsSIP user agent of the logged-in agent: registration state and incoming sessions. */
export class SipPhone {
  state = $state<SipState>('unregistered');
  /** The last registration failure cause, if any. */
  failureCause = $state<string | null>(null);
  ua: UA | null = null;

  #retryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly account: SipAccount,
    private readonly onIncoming: IncomingSessionHandler,
  ) {}

  start(): void {
    if (this.ua) return;
    const { account } = this;
    const ua = new JsSIP.UA({
      sockets: account.wsServers.map((url) => new JsSIP.WebSocketInterface(url)),
      uri: account.uri,
      authorization_user: account.authorizationUser,
      password: account.password,
      display_name: account.displayName,
      register: true,
      session_timers: false,
    });

    ua.on('registered', () => {
      this.state = 'registered';
      this.failureCause = null;
    });
    ua.on('unregistered', () => {
      if (this.state !== 'failed') this.state = 'unregistered';
    });
    ua.on('registrationFailed', (event) => {
      this.state = 'failed';
      this.failureCause = event.cause ?? null;
      clearTimeout(this.#retryTimer);
      this.#retryTimer = setTimeout(() => {
        if (this.ua === ua && this.state === 'failed') ua.register();
      }, REREGISTER_AFTER_FAILURE_MS);
    });
    ua.on('newRTCSession', (event: RTCSessionEvent) => {
      if ((event.originator as string) !== 'remote') return;
      const request = event.request as { getHeader(name: string): string | undefined };
      this.onIncoming(event.session, request.getHeader('X-CC-Call-Id') || null, (name) => request.getHeader(name));
    });

    this.ua = ua;
    ua.start();
  }

  stop(): void {
    clearTimeout(this.#retryTimer);
    const ua = this.ua;
    this.ua = null;
    if (ua) {
      ua.removeAllListeners();
      ua.stop();
    }
    this.state = 'unregistered';
  }
}
