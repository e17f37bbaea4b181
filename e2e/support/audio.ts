import fs from 'node:fs';
import type { Page } from '@playwright/test';
import { pcmWavHeader } from '../../orchestrator/src/media/wav.ts';

/**
 * Audio signals for tier-2 media checks: each party sends its own pure tone
 * (the customer from a pcap that sipp plays, the browsers from Chromium's fake
 * capture device fed with a WAV file), so what a party hears can be taken apart
 * by frequency: the level in a narrow band around each tone says whose voice
 * is in it.
 */

/** A mono 16-bit PCM WAV with a sine tone, as bytes (`amplitude` 0..1). */
export function toneWav(o: { frequencyHz: number; seconds: number; amplitude: number; sampleRate?: number }): Buffer {
  const rate = o.sampleRate ?? 48_000;
  const n = Math.round(rate * o.seconds);
  const data = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) data.writeInt16LE(Math.round(Math.sin((2 * Math.PI * o.frequencyHz * i) / rate) * o.amplitude * 32767), i * 2);
  return Buffer.concat([pcmWavHeader({ channels: 1, sampleRate: rate, bitsPerSample: 16, dataBytes: data.length }), data]);
}

/** The same, as a file (Chromium's --use-file-for-fake-audio-capture loops it). */
export function writeToneWav(file: string, o: { frequencyHz: number; seconds: number; amplitude: number; sampleRate?: number }): void {
  fs.writeFileSync(file, toneWav(o));
}

/** G.711 A-law encoding of one 16-bit sample (ITU-T G.711). */
function alaw(sample: number): number {
  const sign = sample >= 0 ? 0x80 : 0;
  let s = Math.min(32635, Math.abs(sample));
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (s >> (exponent === 0 ? 4 : exponent + 3)) & 0x0f;
  s = (exponent << 4) | mantissa;
  return (s | sign) ^ 0x55;
}

/**
 * A pcap of RTP packets (PCMA, payload type 8, 20 ms each) carrying a sine tone,
 * for sipp's play_pcap_audio: Ethernet / IPv4 / UDP framing as sipp expects.
 */
export function writeTonePcap(file: string, o: { frequencyHz: number; seconds: number; amplitude: number }): void {
  const packets = Math.round(o.seconds * 50);
  const parts: Buffer[] = [];
  const global = Buffer.alloc(24);
  global.writeUInt32LE(0xa1b2c3d4, 0);
  global.writeUInt16LE(2, 4);
  global.writeUInt16LE(4, 6);
  global.writeUInt32LE(65535, 16);
  global.writeUInt32LE(1, 20); // LINKTYPE_ETHERNET
  parts.push(global);
  for (let p = 0; p < packets; p++) {
    const payload = Buffer.alloc(160);
    for (let i = 0; i < 160; i++) {
      const t = (p * 160 + i) / 8000;
      payload[i] = alaw(Math.round(Math.sin(2 * Math.PI * o.frequencyHz * t) * o.amplitude * 32767));
    }
    const rtp = Buffer.alloc(12);
    rtp[0] = 0x80;
    rtp[1] = 8;
    rtp.writeUInt16BE(p & 0xffff, 2);
    rtp.writeUInt32BE(p * 160, 4);
    rtp.writeUInt32BE(0x5eed1234, 8);
    const udpLength = 8 + 12 + 160;
    const udp = Buffer.alloc(8);
    udp.writeUInt16BE(40000, 0);
    udp.writeUInt16BE(40002, 2);
    udp.writeUInt16BE(udpLength, 4);
    const ip = Buffer.alloc(20);
    ip[0] = 0x45;
    ip.writeUInt16BE(20 + udpLength, 2);
    ip[8] = 64;
    ip[9] = 17;
    ip.set([127, 0, 0, 1], 12);
    ip.set([127, 0, 0, 1], 16);
    let sum = 0;
    for (let i = 0; i < 20; i += 2) sum += ip.readUInt16BE(i);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
    ip.writeUInt16BE(~sum & 0xffff, 10);
    const eth = Buffer.alloc(14);
    eth.writeUInt16BE(0x0800, 12);
    const frame = Buffer.concat([eth, ip, udp, rtp, payload]);
    const record = Buffer.alloc(16);
    const usec = p * 20_000;
    record.writeUInt32LE(Math.floor(usec / 1_000_000), 0);
    record.writeUInt32LE(usec % 1_000_000, 4);
    record.writeUInt32LE(frame.length, 8);
    record.writeUInt32LE(frame.length, 12);
    parts.push(record, frame);
  }
  fs.writeFileSync(file, Buffer.concat(parts));
}

/** The samples of a 16-bit PCM WAV file (the first channel), with its rate. */
export function readWav(file: string): { rate: number; samples: Float64Array } {
  const b = fs.readFileSync(file);
  if (b.toString('ascii', 0, 4) !== 'RIFF' || b.toString('ascii', 8, 12) !== 'WAVE') throw new Error(`${file}: not a WAV file`);
  let offset = 12;
  let rate = 0;
  let channels = 1;
  let bits = 16;
  while (offset + 8 <= b.length) {
    const id = b.toString('ascii', offset, offset + 4);
    const size = b.readUInt32LE(offset + 4);
    if (id === 'fmt ') {
      channels = b.readUInt16LE(offset + 10);
      rate = b.readUInt32LE(offset + 12);
      bits = b.readUInt16LE(offset + 22);
    } else if (id === 'data') {
      if (bits !== 16) throw new Error(`${file}: ${bits}-bit samples`);
      const end = Math.min(b.length, offset + 8 + size);
      const frames = Math.floor((end - offset - 8) / (2 * channels));
      const samples = new Float64Array(frames);
      for (let i = 0; i < frames; i++) samples[i] = b.readInt16LE(offset + 8 + i * 2 * channels) / 32768;
      return { rate, samples };
    }
    offset += 8 + size + (size % 2);
  }
  throw new Error(`${file}: no data chunk`);
}

/** Power of a tone at `frequencyHz` (Goertzel over the whole signal), in dB relative to a full-scale sine. */
export function toneLevelDb(samples: Float64Array, rate: number, frequencyHz: number): number {
  if (samples.length === 0) return -200;
  const k = (2 * Math.PI * frequencyHz) / rate;
  const coeff = 2 * Math.cos(k);
  let s1 = 0;
  let s2 = 0;
  for (const x of samples) {
    const s0 = x + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  const amplitude = (2 * Math.sqrt(Math.max(power, 0))) / samples.length;
  return 20 * Math.log10(amplitude + 1e-12);
}

/**
 * What a browser page hears: for `seconds`, the average power around each
 * frequency of the remote audio of `peerConnection` (a page expression),
 * measured with a Web Audio analyser, in dB.
 */
export async function browserBandLevels(page: Page, peerConnection: string, frequencies: number[], seconds: number): Promise<number[]> {
  return page.evaluate(
    async ({ expr, bands, secs }) => {
      // eslint-disable-next-line no-new-func
      const pc = new Function(`return (${expr});`)() as RTCPeerConnection | null;
      const track = pc?.getReceivers().find((r) => r.track?.kind === 'audio')?.track;
      if (!track) throw new Error('no remote audio track');
      const ctx = new AudioContext();
      await ctx.resume();
      const source = ctx.createMediaStreamSource(new MediaStream([track]));
      const analyser = ctx.createAnalyser();
      analyser.fftSize = 8192;
      analyser.smoothingTimeConstant = 0;
      source.connect(analyser);
      const spectrum = new Float32Array(analyser.frequencyBinCount);
      const binHz = ctx.sampleRate / analyser.fftSize;
      const sums = bands.map(() => 0);
      let frames = 0;
      const end = performance.now() + secs * 1000;
      while (performance.now() < end) {
        await new Promise((r) => setTimeout(r, 50));
        analyser.getFloatFrequencyData(spectrum);
        bands.forEach((f, i) => {
          const bin = Math.round(f / binHz);
          let p = 0;
          for (let k = bin - 3; k <= bin + 3; k++) p += 10 ** ((spectrum[k] ?? -200) / 10);
          sums[i]! += p;
        });
        frames++;
      }
      await ctx.close();
      return sums.map((s) => 10 * Math.log10(s / Math.max(1, frames) + 1e-20));
    },
    { expr: peerConnection, bands: frequencies, secs: seconds },
  );
}
