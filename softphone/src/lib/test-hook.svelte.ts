import type { RTCSession } from 'jssip/lib/RTCSession';
import type { UA } from 'jssip/lib/UA';
import type { CallCardModel, CallController, InboundAudioStats, OutboundAudioStats } from './call.svelte';
import type { SipPhone, SipState } from './sip.svelte';

/** The end-to-end test hook: window.__softphone. */
export interface SoftphoneHook {
  readonly ua: UA | null;
  readonly session: RTCSession | null;
  readonly sipState: SipState;
  readonly call: CallCardModel | null;
  inboundAudioStats(): Promise<InboundAudioStats | null>;
  outboundAudioStats(): Promise<OutboundAudioStats | null>;
}

declare global {
  interface Window {
    __softphone?: SoftphoneHook;
  }
}

export function installTestHook(getPhone: () => SipPhone | null, calls: CallController): () => void {
  const hook: SoftphoneHook = {
    get ua() {
      return getPhone()?.ua ?? null;
    },
    get session() {
      return calls.session;
    },
    get sipState() {
      return getPhone()?.state ?? 'unregistered';
    },
    get call() {
      return calls.card ? $state.snapshot(calls.card) : null;
    },
    inboundAudioStats: () => calls.inboundAudioStats(),
    outboundAudioStats: () => calls.outboundAudioStats(),
  };
  window.__softphone = hook;
  return () => {
    if (window.__softphone === hook) delete window.__softphone;
  };
}
