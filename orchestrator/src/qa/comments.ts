import { z } from 'zod';

/**
 * Evaluator comments pinned to a moment (or a stretch) of a recording.
 * Offsets are milliseconds on the recording's playback timeline, which is its
 * audible duration (paused stretches are not in the file; see
 * recording/pauses.ts `audibleMs`). A comment may sit anywhere from 0 to the
 * very end, inclusive; a stretch must end after it starts.
 */

export const MAX_COMMENT_LENGTH = 2000;

export class RecordingDurationError extends Error {
  override readonly name = 'RecordingDurationError';
  constructor(durationMs: number) {
    super(`recording duration must be a non-negative integer of ms (got ${durationMs})`);
  }
}

/** The schema for a comment on a recording lasting `durationMs`. */
export function commentSchema(durationMs: number) {
  if (!Number.isSafeInteger(durationMs) || durationMs < 0) throw new RecordingDurationError(durationMs);
  const offset = z
    .number()
    .int('offset: whole milliseconds')
    .min(0, 'offset: cannot be before the start of the recording')
    .max(durationMs, `offset: beyond the end of the recording (${durationMs} ms)`);
  return z
    .object({
      offsetMs: offset,
      /** For a comment on a stretch: where it ends. */
      endOffsetMs: offset.nullable().default(null),
      itemId: z.string().min(1).max(64).nullable().default(null),
      text: z.string().trim().min(1, 'text: empty comment').max(MAX_COMMENT_LENGTH),
    })
    .refine((c) => c.endOffsetMs === null || c.endOffsetMs > c.offsetMs, { message: 'endOffsetMs: must be after offsetMs', path: ['endOffsetMs'] });
}

export type RecordingComment = z.infer<ReturnType<typeof commentSchema>>;

export type CommentValidation =
  | { readonly ok: true; readonly comment: RecordingComment }
  | { readonly ok: false; readonly issues: { path: string; message: string }[] };

/** Validates a comment for a recording lasting `durationMs` (its audible duration). */
export function validateComment(input: unknown, durationMs: number): CommentValidation {
  const r = commentSchema(durationMs).safeParse(input);
  return r.success
    ? { ok: true, comment: r.data }
    : { ok: false, issues: r.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })) };
}
