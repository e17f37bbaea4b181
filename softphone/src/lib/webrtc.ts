/** The WebRTC media helpers shared by the agent's call and the supervisor's seat (both answer JsSIP sessions). */

/** JsSIP v3 has no ICE gathering timeout: answer with the candidates gathered so far after this. */
const ICE_GATHERING_TIMEOUT_MS = 2_000;

/** One record of RTCPeerConnection.getStats(). */
export type StatsRecord = Record<string, unknown> & { type: string; kind?: string; mediaType?: string };

/**
 * An 'icecandidate' listener that lets JsSIP send the SDP at most 2 s after the first
 * candidate of a gathering round, so an unreachable STUN/TURN server cannot delay the answer.
 */
export function boundIceGathering() {
  const scheduled = new WeakSet<VoidFunction>();
  return ({ ready }: { ready: VoidFunction }) => {
    if (scheduled.has(ready)) return;
    scheduled.add(ready);
    setTimeout(ready, ICE_GATHERING_TIMEOUT_MS);
  };
}

/** Plays the remote audio track of `pc`, when it arrives, on the element `audio()` answers then. */
export function playRemoteAudio(pc: RTCPeerConnection, audio: () => HTMLAudioElement | null): void {
  pc.addEventListener('track', (event) => {
    const element = audio();
    if (event.track.kind !== 'audio' || !element) return;
    element.srcObject = event.streams[0] ?? new MediaStream([event.track]);
    element.play().catch(() => {
      /* autoplay may be refused until the user interacts; answering (or the action click) is one */
    });
  });
}

/** The stats records of a peer connection; none without one or when they cannot be read. */
export async function connectionStats(pc: RTCPeerConnection | null | undefined): Promise<StatsRecord[]> {
  if (!pc) return [];
  try {
    return [...(await pc.getStats()).values()] as StatsRecord[];
  } catch {
    return [];
  }
}

export function isAudio(stats: StatsRecord): boolean {
  return (stats.kind ?? stats.mediaType) === 'audio';
}

export function num(value: unknown): number | null {
  return typeof value === 'number' ? value : null;
}
