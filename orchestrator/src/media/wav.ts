import fs from 'node:fs';

/**
 * Reads what the recording and voicemail metadata need from a WAV file's header: format,
 * channels, sample rate and the length of the audio data, hence the duration.
 * FreeSWITCH writes 16-bit PCM (format 1); WAVE_FORMAT_EXTENSIBLE and other
 * formats are read too, duration coming from the byte rate.
 *
 * A file still being written may carry a data size of 0 or 0xFFFFFFFF, or one
 * larger than the file: the size on disk wins then (`truncated`/`sizeFromFile`).
 */

export interface WavInfo {
  /** 1 = PCM, 3 = IEEE float, 6/7 = A-law/µ-law, 0xFFFE = extensible. */
  readonly audioFormat: number;
  readonly channels: number;
  readonly sampleRate: number;
  readonly bitsPerSample: number;
  /** Bytes per second of audio, from the header. */
  readonly byteRate: number;
  /** Bytes per sample frame (all channels). */
  readonly blockAlign: number;
  /** Offset of the first audio byte in the file. */
  readonly dataOffset: number;
  /** Audio bytes, whole frames only. */
  readonly dataBytes: number;
  readonly durationMs: number;
  /** The header's data size did not match the file: the file's size was used. */
  readonly sizeFromFile: boolean;
}

export class WavFormatError extends Error {
  override readonly name = 'WavFormatError';
}

/** How many bytes of a file to read to find the data chunk in any sane WAV. */
export const WAV_HEADER_PROBE_BYTES = 64 * 1024;

/**
 * Parses the header at the start of a WAV file. `head` is the first bytes of
 * the file (WAV_HEADER_PROBE_BYTES is plenty), `fileSize` its size on disk.
 * Throws WavFormatError for anything that is not a usable RIFF/WAVE file.
 */
export function parseWavHeader(head: Uint8Array, fileSize: number): WavInfo {
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const tag = (at: number) => String.fromCharCode(head[at]!, head[at + 1]!, head[at + 2]!, head[at + 3]!);
  if (head.byteLength < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw new WavFormatError('not a RIFF/WAVE file');

  let fmt: Omit<WavInfo, 'dataOffset' | 'dataBytes' | 'durationMs' | 'sizeFromFile'> | null = null;
  let at = 12;
  while (at + 8 <= head.byteLength) {
    const id = tag(at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > head.byteLength) throw new WavFormatError('fmt chunk too short');
      fmt = {
        audioFormat: view.getUint16(body, true),
        channels: view.getUint16(body + 2, true),
        sampleRate: view.getUint32(body + 4, true),
        byteRate: view.getUint32(body + 8, true),
        blockAlign: view.getUint16(body + 12, true),
        bitsPerSample: view.getUint16(body + 14, true),
      };
      if (fmt.channels < 1 || fmt.channels > 8) throw new WavFormatError(`unsupported channel count ${fmt.channels}`);
      if (fmt.sampleRate < 1 || fmt.byteRate < 1 || fmt.blockAlign < 1) throw new WavFormatError('fmt chunk has a zero rate or block size');
    } else if (id === 'data') {
      if (!fmt) throw new WavFormatError('data chunk before fmt chunk');
      const onDisk = Math.max(0, fileSize - body);
      const declaredOk = size !== 0 && size !== 0xffffffff && size <= onDisk;
      const raw = declaredOk ? size : onDisk;
      const dataBytes = raw - (raw % fmt.blockAlign);
      return { ...fmt, dataOffset: body, dataBytes, durationMs: Math.round((dataBytes / fmt.byteRate) * 1000), sizeFromFile: !declaredOk };
    }
    at = body + size + (size % 2); // chunks are word-aligned
  }
  throw new WavFormatError(fmt ? 'no data chunk in the first bytes of the file' : 'no fmt chunk in the first bytes of the file');
}

/** A canonical 44-byte PCM WAV header (tests and the ESL test peer write files with it). */
export function pcmWavHeader(o: { channels: number; sampleRate: number; bitsPerSample: number; dataBytes: number }): Buffer {
  const blockAlign = (o.channels * o.bitsPerSample) / 8;
  const b = Buffer.alloc(44);
  b.write('RIFF', 0, 'ascii');
  b.writeUInt32LE(36 + o.dataBytes, 4);
  b.write('WAVE', 8, 'ascii');
  b.write('fmt ', 12, 'ascii');
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(o.channels, 22);
  b.writeUInt32LE(o.sampleRate, 24);
  b.writeUInt32LE(o.sampleRate * blockAlign, 28);
  b.writeUInt16LE(blockAlign, 32);
  b.writeUInt16LE(o.bitsPerSample, 34);
  b.write('data', 36, 'ascii');
  b.writeUInt32LE(o.dataBytes, 40);
  return b;
}

/** Reads a WAV file's header from disk (`size`: the file's size, when already known). */
export async function readWavInfo(file: string, size?: number): Promise<WavInfo> {
  const bytes = size ?? (await fs.promises.stat(file)).size;
  const head = Buffer.alloc(Math.min(WAV_HEADER_PROBE_BYTES, bytes));
  const fd = await fs.promises.open(file, 'r');
  try {
    await fd.read(head, 0, head.length, 0);
  } finally {
    await fd.close();
  }
  return parseWavHeader(head, bytes);
}
