import type { RTCSession } from 'jssip/lib/RTCSession';
import { SipPhone, type SipState } from '../sip.svelte';
import type { ServerMessage, SipAccount } from '../types';
import { boundIceGathering, connectionStats, isAudio, num, playRemoteAudio } from '../webrtc';
import { supervisionApi, type CallAction, type MonitorSessionView, type SupervisedCallView } from './api';

export interface SeatAudioStats {
  packetsReceived: number;
  packetsSent: number;
  audioLevel: number | null;
  /** Cumulative energy and duration of the received audio (RTCInboundRtpStreamStats). */
  totalAudioEnergy: number | null;
  totalSamplesDuration: number | null;
}

function randomToken(): string {
  const bytes = new Uint8Array(18);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * The supervisor's own WebRTC leg (班长席): a JsSIP phone registered with the
 * supervisor's SIP account, which answers only the calls the orchestrator
 * places for an action this page asked for (the INVITE carries the random
 * token the page sent with the action, as X-CC-Supervision). The live calls and
 * the supervisor's monitoring come from the orchestrator (GET, then pushes).
 */
export class SupervisorSeat {
  /** The supervisor's registered JsSIP phone (its `state` is reactive). */
  phone = $state.raw<SipPhone | null>(null);
  #accountError = $state<string | null>(null);
  calls = $state<SupervisedCallView[]>([]);
  /** The monitoring the orchestrator reports (mode, call, leg). */
  monitoring = $state<MonitorSessionView | null>(null);
  /** Connected to the customer after an intercept (代接): the call this leg now carries. */
  takenOverCallId = $state<string | null>(null);
  /** The WebRTC session is up. */
  mediaUp = $state(false);
  /** An action in flight. */
  busy = $state<CallAction | 'stop' | null>(null);
  audioElement: HTMLAudioElement | null = null;

  /** Not reactive: JsSIP objects must not be proxied. */
  #session: RTCSession | null = null;
  #expectedToken: string | null = null;

  get sipState(): SipState {
    return this.phone?.state ?? (this.#accountError ? 'failed' : 'unregistered');
  }

  /** The supervisor leg's WebRTC connection, while there is one. */
  get peerConnection(): RTCPeerConnection | null {
    return this.#session?.connection ?? null;
  }

  get sipError(): string | null {
    return this.phone?.failureCause ?? this.#accountError;
  }

  async start(): Promise<void> {
    if (this.phone) return;
    let account: SipAccount;
    try {
      account = await supervisionApi.sipAccount();
    } catch (err) {
      this.#accountError = err instanceof Error ? err.message : String(err);
      return;
    }
    const phone = new SipPhone(account, (session, _callId, header) => this.#incoming(session, header('X-CC-Supervision') ?? null));
    this.phone = phone;
    phone.start();
  }

  stopPhone(): void {
    this.#hangupLocal();
    this.phone?.stop();
    this.phone = null;
  }

  async load(): Promise<void> {
    const view = await supervisionApi.calls();
    this.calls = view.calls;
    this.monitoring = view.session;
  }

  handleMessage(message: ServerMessage): void {
    if (message.type === 'supervision.calls') {
      this.calls = message.calls;
      if (this.takenOverCallId && !message.calls.some((c) => c.callId === this.takenOverCallId)) this.takenOverCallId = null;
    } else if (message.type === 'supervision.session') {
      this.monitoring = message.session;
    }
  }

  callOfAgent(agentId: string): SupervisedCallView | undefined {
    return this.calls.find((c) => c.agentId === agentId && c.takenOverBy === null);
  }

  /** Listen, whisper, barge, hang up or intercept; mode changes on a monitored call reuse the leg. */
  async act(callId: string, action: CallAction): Promise<void> {
    this.busy = action;
    const token = randomToken();
    this.#expectedToken = token;
    try {
      const result = await supervisionApi.act(callId, action, token);
      this.monitoring = result.session;
      if (action === 'intercept') this.takenOverCallId = callId;
    } finally {
      this.busy = null;
    }
  }

  /** Ends the monitoring (the call goes on), or the taken-over call. */
  async stop(): Promise<void> {
    this.busy = 'stop';
    try {
      if (this.takenOverCallId) {
        this.#hangupLocal();
        this.takenOverCallId = null;
      } else {
        await supervisionApi.stop();
        this.monitoring = null;
      }
    } finally {
      this.busy = null;
    }
  }

  async inboundAudioStats(): Promise<SeatAudioStats | null> {
    const stats = await connectionStats(this.#session?.connection);
    const inbound = stats.find((s) => s.type === 'inbound-rtp' && isAudio(s));
    const outbound = stats.find((s) => s.type === 'outbound-rtp' && isAudio(s));
    if (!inbound) return null;
    return {
      packetsReceived: num(inbound.packetsReceived) ?? 0,
      packetsSent: num(outbound?.packetsSent) ?? 0,
      audioLevel: num(inbound.audioLevel),
      totalAudioEnergy: num(inbound.totalAudioEnergy),
      totalSamplesDuration: num(inbound.totalSamplesDuration),
    };
  }

  #incoming(session: RTCSession, token: string | null): void {
    // Only the call this page asked for is answered; anything else is refused.
    if (!token || token !== this.#expectedToken) {
      session.terminate({ status_code: 486, reason_phrase: 'Busy Here' });
      return;
    }
    this.#expectedToken = null;
    // A new leg (monitoring another call) replaces the old one.
    if (this.#session && !this.#session.isEnded()) this.#hangupLocal();
    this.#session = session;
    session.on('peerconnection', ({ peerconnection }) => playRemoteAudio(peerconnection, () => this.audioElement));
    session.on('icecandidate', boundIceGathering());
    session.on('confirmed', () => {
      if (this.#session === session) this.mediaUp = true;
    });
    const ended = () => {
      if (this.#session !== session) return;
      this.#session = null;
      this.mediaUp = false;
      this.takenOverCallId = null;
    };
    session.on('ended', ended);
    session.on('failed', ended);
    try {
      session.answer({ mediaConstraints: { audio: true, video: false }, pcConfig: { iceServers: this.phone?.account.iceServers ?? [] } });
    } catch (err) {
      console.error('supervision answer failed', err);
    }
  }

  #hangupLocal(): void {
    const session = this.#session;
    this.#session = null;
    this.mediaUp = false;
    if (session && !session.isEnded()) {
      try {
        session.terminate();
      } catch {
        /* already ending */
      }
    }
  }
}

/** The end-to-end test hook: window.__supervisor. */
export interface SupervisorHook {
  readonly sipState: SipState;
  readonly monitoring: MonitorSessionView | null;
  readonly mediaUp: boolean;
  readonly peerConnection: RTCPeerConnection | null;
  inboundAudioStats(): Promise<SeatAudioStats | null>;
}

declare global {
  interface Window {
    __supervisor?: SupervisorHook;
  }
}

export function installSupervisorHook(seat: SupervisorSeat): () => void {
  const hook: SupervisorHook = {
    get sipState() {
      return seat.sipState;
    },
    get monitoring() {
      return seat.monitoring ? $state.snapshot(seat.monitoring) : null;
    },
    get mediaUp() {
      return seat.mediaUp;
    },
    get peerConnection() {
      return seat.peerConnection;
    },
    inboundAudioStats: () => seat.inboundAudioStats(),
  };
  window.__supervisor = hook;
  return () => {
    if (window.__supervisor === hook) delete window.__supervisor;
  };
}
