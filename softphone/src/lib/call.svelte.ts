import type { RTCSession } from 'jssip/lib/RTCSession';
import type { CallOffer, ScreenPop, ServerMessage, SipAccount } from './types';
import { boundIceGathering, connectionStats, isAudio, num, playRemoteAudio } from './webrtc';

export type CallState = 'ringing' | 'connected' | 'ended';

/** What the call card shows. Built from the `call.offered` message and/or the SIP INVITE. */
export interface CallCardModel {
  callId: string;
  callerNumber: string;
  callerName: string;
  queueName: string | null;
  /** Null until the `call.offered` message arrived (the INVITE can come first). */
  screenPop: ScreenPop | null;
  /** What the caller entered in the IVR (account number, menu choices...); {} without an IVR. */
  ivrData: Record<string, string>;
  state: CallState;
  /** A SIP session for this call is ringing or established: it can be answered / hung up. */
  hasSession: boolean;
  answering: boolean;
  connectedAt: number | null;
  endedAt: number | null;
  cause: string | null;
}

export interface InboundAudioStats {
  packetsReceived: number;
  bytesReceived: number;
  audioLevel: number | null;
}

export interface OutboundAudioStats {
  packetsSent: number;
  bytesSent: number;
  audioLevel: number | null;
}

/**
 * The agent's current (or last) call: merges the orchestrator's call.* messages with the
 * JsSIP session that rings the softphone. They are matched by the X-CC-Call-Id header.
 */
export class CallController {
  card = $state<CallCardModel | null>(null);
  /** The current or last JsSIP session (not reactive: JsSIP objects must not be proxied). */
  session: RTCSession | null = null;
  iceServers: SipAccount['iceServers'] = [];
  audioElement: HTMLAudioElement | null = null;

  #sessionCallId: string | null = null;

  handleMessage(message: ServerMessage): void {
    switch (message.type) {
      case 'call.offered':
        this.#offered(message);
        break;
      case 'call.connected':
        this.#update(message.callId, (card) => markConnected(card));
        break;
      case 'call.offer_ended':
        this.#update(message.callId, (card) => {
          if (card.state === 'ringing') markEnded(card, message.cause);
        });
        break;
      case 'call.ended':
        this.#update(message.callId, (card) => markEnded(card, message.cause));
        break;
    }
  }

  /** An incoming JsSIP session (INVITE). */
  handleSession(session: RTCSession, headerCallId: string | null): void {
    if (this.session && !this.session.isEnded()) {
      session.terminate({ status_code: 486, reason_phrase: 'Busy Here' });
      return;
    }

    const card = this.card;
    const callId =
      headerCallId ?? (card && card.state === 'ringing' && !card.hasSession ? card.callId : `sip-${session.id}`);
    this.session = session;
    this.#sessionCallId = callId;

    if (card && card.callId === callId) {
      if (card.state !== 'ended') card.hasSession = true;
    } else {
      // The INVITE came before the call.offered message (or without one).
      this.card = {
        ...emptyCard(callId),
        callerNumber: session.remote_identity?.uri?.user ?? '',
        callerName: session.remote_identity?.display_name ?? '',
        hasSession: true,
      };
    }

    session.on('peerconnection', ({ peerconnection }) => playRemoteAudio(peerconnection, () => this.audioElement));
    session.on('icecandidate', boundIceGathering());
    session.on('accepted', () => this.#update(callId, (c) => markConnected(c)));
    session.on('confirmed', () => this.#update(callId, (c) => markConnected(c)));
    const onEnd = ({ cause }: { cause: string }) =>
      this.#update(callId, (c) => {
        c.hasSession = false;
        markEnded(c, cause);
      });
    session.on('ended', onEnd);
    session.on('failed', onEnd);
  }

  answer(): void {
    const { card, session } = this;
    if (!card || !session || card.state !== 'ringing' || !card.hasSession || card.answering) return;
    if (this.#sessionCallId !== card.callId) return;
    card.answering = true;
    try {
      session.answer({
        mediaConstraints: { audio: true, video: false },
        pcConfig: { iceServers: this.iceServers },
      });
    } catch (err) {
      card.answering = false;
      console.error('answer failed', err);
    }
  }

  hangup(): void {
    const session = this.session;
    if (!session || session.isEnded()) return;
    try {
      session.terminate();
    } catch (err) {
      console.warn('terminate failed', err);
    }
  }

  async inboundAudioStats(): Promise<InboundAudioStats | null> {
    const stats = await connectionStats(this.session?.connection);
    const rtp = stats.find((s) => s.type === 'inbound-rtp' && isAudio(s));
    if (!rtp) return null;
    return {
      packetsReceived: num(rtp.packetsReceived) ?? 0,
      bytesReceived: num(rtp.bytesReceived) ?? 0,
      audioLevel: num(rtp.audioLevel),
    };
  }

  async outboundAudioStats(): Promise<OutboundAudioStats | null> {
    const stats = await connectionStats(this.session?.connection);
    const rtp = stats.find((s) => s.type === 'outbound-rtp' && isAudio(s));
    if (!rtp) return null;
    // outbound-rtp has no level; the local track's level is on its media-source.
    const source = stats.find((s) => s.type === 'media-source' && isAudio(s) && s.id === rtp.mediaSourceId) ??
      stats.find((s) => s.type === 'media-source' && isAudio(s));
    return {
      packetsSent: num(rtp.packetsSent) ?? 0,
      bytesSent: num(rtp.bytesSent) ?? 0,
      audioLevel: num(rtp.audioLevel) ?? num(source?.audioLevel),
    };
  }

  /** Ends any live session (logout / page teardown). */
  dispose(): void {
    this.hangup();
    if (this.audioElement) this.audioElement.srcObject = null;
  }

  #offered(offer: CallOffer): void {
    const fromOffer = {
      callerNumber: offer.callerNumber,
      callerName: offer.callerName,
      queueName: offer.queue.name,
      screenPop: offer.screenPop,
      ivrData: offer.ivrData ?? {},
    };
    if (this.card?.callId === offer.callId) {
      Object.assign(this.card, fromOffer);
      return;
    }
    const session = this.session;
    const hasSession = !!session && !session.isEnded() && this.#sessionCallId === offer.callId;
    this.card = { ...emptyCard(offer.callId), ...fromOffer, hasSession };
  }

  #update(callId: string, change: (card: CallCardModel) => void): void {
    if (this.card && this.card.callId === callId) change(this.card);
  }

}

function emptyCard(callId: string): CallCardModel {
  return {
    callId,
    callerNumber: '',
    callerName: '',
    queueName: null,
    screenPop: null,
    ivrData: {},
    state: 'ringing',
    hasSession: false,
    answering: false,
    connectedAt: null,
    endedAt: null,
    cause: null,
  };
}

function markConnected(card: CallCardModel): void {
  if (card.state === 'ended') return;
  card.state = 'connected';
  card.answering = false;
  card.connectedAt ??= Date.now();
}

function markEnded(card: CallCardModel, cause: string): void {
  if (card.state === 'ended') return;
  card.state = 'ended';
  card.answering = false;
  card.endedAt = Date.now();
  card.cause = cause;
}
