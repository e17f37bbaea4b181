import type { Logger } from 'pino';
import type { ResolvedPrompt } from '../engine.ts';
import type { Language } from '../schema.ts';
import type { TtsEngine } from '../../tts/tts.ts';
import { ERROR_TONE, filePlayable, speechPlayable, tonePlayable } from './switch-args.ts';

/** How spoken text reaches the caller, per language. */
export type SpeechRoute =
  /** A cached WAV file made by a TTS engine (espeak-ng: Mandarin and English). */
  | { kind: 'file'; engine: TtsEngine }
  /** FreeSWITCH's own TTS module at play time (`say:` with tts_engine=flite, set by dialplans/cc_ivr.xml). */
  | { kind: 'switch' };

/**
 * Turns what the engine wants played into a FreeSWITCH file string. A prompt
 * that cannot be produced (no engine, engine failure, unsafe path) becomes an
 * error tone and a warning: the flow goes on, other calls are not affected.
 */
export class PromptSource {
  constructor(
    private readonly speech: Partial<Record<Language, SpeechRoute>>,
    private readonly logger: Logger,
  ) {}

  async playable(prompt: ResolvedPrompt): Promise<string> {
    try {
      if (prompt.type === 'file') return filePlayable(prompt.path);
      if (prompt.type === 'tone') return tonePlayable(prompt.tone);
      return await this.spoken(prompt.text, prompt.language);
    } catch (err) {
      this.logger.warn({ err, prompt: prompt.type }, 'prompt unavailable; playing the error tone');
      return ERROR_TONE;
    }
  }

  async spoken(text: string, language: Language): Promise<string> {
    const route = this.speech[language];
    if (!route) throw new Error(`no speech engine for ${language}`);
    if (route.kind === 'switch') return speechPlayable(text);
    return filePlayable(await route.engine.synthesize(text, language));
  }
}
