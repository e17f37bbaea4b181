import type { CollectEffect } from '../engine.ts';

/**
 * Pure builders for the FreeSWITCH application arguments the IVR runtime sends
 * (playback, play_and_get_digits, record). Every file string is checked here, so
 * nothing a flow author typed can break out of its argument.
 */

export class UnsafePromptError extends Error {
  override readonly name = 'UnsafePromptError';
}

/** The channel variable play_and_get_digits stores keys in (read back from CHANNEL_EXECUTE_COMPLETE). */
export const DIGITS_VAR = 'cc_ivr_digits';
/** Played when a prompt cannot be produced (no TTS engine, unsafe path): the flow goes on. */
export const ERROR_TONE = 'tone_stream://%(150,100,480);loops=2';
/** The beep before a voicemail recording. */
export const BEEP_TONE = 'tone_stream://%(500,0,1000)';

const FILE = /^\/[A-Za-z0-9_./-]{1,400}\.(wav|WAV|mp3|MP3)$/;
const TONE = /^tone_stream:\/\/[A-Za-z0-9%(),;.=+@-]{1,400}$/;

/** A recorded prompt: an absolute path of safe characters (no '..'). */
export function filePlayable(path: string): string {
  if (!FILE.test(path) || path.includes('..')) throw new UnsafePromptError(`unsafe prompt file ${JSON.stringify(path.slice(0, 80))}`);
  return path;
}

export function tonePlayable(tone: string): string {
  if (!TONE.test(tone)) throw new UnsafePromptError(`unsafe tone ${JSON.stringify(tone.slice(0, 80))}`);
  return tone;
}

/**
 * FreeSWITCH's own TTS (`say:<text>` with the channel's tts_engine/tts_voice, e.g. mod_flite).
 * The text loses what would end it early: quotes (argument quoting), '!' (file_string
 * separator), line breaks.
 */
export function speechPlayable(text: string): string {
  const clean = text.replace(/[\r\n\t]/g, ' ').replace(/'/g, '\u2019').replace(/!/g, '.').replace(/\s+/g, ' ').trim().slice(0, 500);
  if (!clean) throw new UnsafePromptError('empty prompt text');
  return `say:${clean}`;
}

/** One playable for a list: `file_string://a!b`; silence when empty. */
export function joinPlayables(list: readonly string[]): string {
  if (list.length === 0) return 'silence_stream://100';
  if (list.length === 1) return list[0]!;
  return `file_string://${list.join('!')}`;
}

/** Quotes an argument word for FreeSWITCH's space-separated application arguments. */
function quoted(word: string): string {
  if (word.includes("'")) throw new UnsafePromptError('a quote inside an argument');
  return `'${word}'`;
}

/**
 * `play_and_get_digits` for a collect step: the prompts (barge-in: a key stops
 * them and counts), one try (the engine counts retries), keys into DIGITS_VAR.
 * The engine validates length and pattern, so FreeSWITCH accepts from 1 key.
 */
export function collectArgs(c: Pick<CollectEffect, 'maxLength' | 'terminator' | 'timeoutSec'>, prompts: readonly string[]): string {
  const timeoutMs = Math.max(1, c.timeoutSec) * 1000;
  const max = Math.max(1, Math.min(64, c.maxLength));
  const terminators = c.terminator === '' ? 'none' : c.terminator;
  return [1, max, 1, timeoutMs, terminators, quoted(joinPlayables(prompts)), 'silence_stream://0', DIGITS_VAR, quoted('.*'), timeoutMs].join(' ');
}

/** A prompt a key may interrupt (the key is consumed): play_and_get_digits with a short wait. */
export function bargeInPlayArgs(prompts: readonly string[]): string {
  return [1, 1, 1, 200, 'none', quoted(joinPlayables(prompts)), 'silence_stream://0', DIGITS_VAR, quoted('.*'), 200].join(' ');
}

/** `record <file> <max seconds> <silence threshold> <silence seconds>`: ends on 5 s of silence or the time limit. */
export function recordArgs(file: string, maxSeconds: number): string {
  if (!/^\/[A-Za-z0-9_./-]{1,400}\.wav$/.test(file) || file.includes('..')) throw new UnsafePromptError(`unsafe recording path ${JSON.stringify(file.slice(0, 80))}`);
  return `${file} ${Math.max(1, Math.min(600, Math.round(maxSeconds)))} 200 5`;
}
