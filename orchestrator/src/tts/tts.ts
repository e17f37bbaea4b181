import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type Language = 'zh-CN' | 'en';

/** Turns text into a prompt file FreeSWITCH can play. Engines are pluggable (a cloud TTS can be added later). */
export interface TtsEngine {
  readonly name: string;
  /** Absolute path of a WAV file with the spoken text (cached: the same text is synthesised once). */
  synthesize(text: string, language: Language): Promise<string>;
}

export class TtsError extends Error {
  override readonly name = 'TtsError';
}

const VOICES: Record<Language, string> = { 'zh-CN': 'cmn', en: 'en-us' };

/**
 * Debian's espeak-ng (Mandarin voice `cmn` and English), resampled by sox to
 * 8 kHz mono 16-bit WAV, cached by a hash of engine, voice and text.
 */
export class EspeakTts implements TtsEngine {
  readonly name = 'espeak-ng';
  private readonly inFlight = new Map<string, Promise<string>>();

  constructor(private readonly dir: string) {}

  static async available(): Promise<boolean> {
    try {
      await run('espeak-ng', ['--version']);
      await run('sox', ['--version']);
      return true;
    } catch {
      return false;
    }
  }

  synthesize(text: string, language: Language): Promise<string> {
    const clean = text.replace(/[\u0000-\u001f]/g, ' ').trim();
    if (!clean || clean.length > 500) return Promise.reject(new TtsError('prompt text must be 1-500 characters'));
    const voice = VOICES[language];
    const key = createHash('sha256').update(`${this.name}\n${voice}\n${clean}`).digest('hex').slice(0, 32);
    const file = path.join(this.dir, `${key}.wav`);
    if (fs.existsSync(file)) return Promise.resolve(file);
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.render(clean, voice, file).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  private async render(text: string, voice: string, file: string): Promise<string> {
    fs.mkdirSync(this.dir, { recursive: true });
    const raw = `${file}.${process.pid}.raw.wav`;
    const tmp = `${file}.${process.pid}.tmp.wav`;
    try {
      await run('espeak-ng', ['-v', voice, '-s', '150', '-w', raw, '--', text]);
      await run('sox', [raw, '-r', '8000', '-c', '1', '-b', '16', tmp]);
      fs.renameSync(tmp, file);
      return file;
    } catch (err) {
      throw new TtsError(`espeak-ng could not speak the prompt: ${(err as Error).message}`);
    } finally {
      fs.rmSync(raw, { force: true });
      fs.rmSync(tmp, { force: true });
    }
  }
}
