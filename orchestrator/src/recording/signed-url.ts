import { hmac } from '@oslojs/crypto/hmac';
import { SHA256 } from '@oslojs/crypto/sha2';
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { decodeBase64urlIgnorePadding, encodeBase64urlNoPadding } from '@oslojs/encoding';

/**
 * Short-lived signed URLs for recording playback and download, so an
 * <audio> element or a download link can fetch a file without the API
 * having to trust anything but the signature.
 *
 * Query: `rid` recording id, `act` play|download, `uid` the user it was issued
 * to, `exp` expiry in ms since the epoch (canonical decimal), `sig` the
 * HMAC-SHA256 (base64url, no padding) of the JSON array
 * ["recording-url/v1", rid, act, uid, exp] — unambiguous whatever the ids
 * contain. A URL is valid while now < exp. Signing refuses expiries more than
 * 15 minutes ahead and secrets shorter than 32 bytes.
 *
 * A tampered field and a wrong secret look the same to the verifier (both
 * `bad_signature`): that is what a MAC guarantees, and all it should say.
 */

export const RECORDING_URL_ACTIONS = ['play', 'download'] as const;
export type RecordingUrlAction = (typeof RECORDING_URL_ACTIONS)[number];

export const MAX_URL_TTL_MS = 15 * 60 * 1000;
export const MIN_SECRET_BYTES = 32;
const MAX_ID_LENGTH = 256;
const DOMAIN = 'recording-url/v1';

export interface RecordingUrlClaims {
  readonly recordingId: string;
  readonly action: RecordingUrlAction;
  readonly userId: string;
  /** ms since the epoch, an integer. */
  readonly expiresAt: number;
}

export type RecordingUrlParams = { readonly rid: string; readonly act: RecordingUrlAction; readonly uid: string; readonly exp: string; readonly sig: string };

/** The server is misconfigured: the secret is too short. Not a client error. */
export class RecordingUrlSecretError extends Error {
  override readonly name = 'RecordingUrlSecretError';
  constructor(bytes: number) {
    super(`recording URL secret must be at least ${MIN_SECRET_BYTES} bytes (got ${bytes})`);
  }
}

export type RecordingUrlSignErrorCode = 'invalid_claims' | 'expiry_not_in_future' | 'expiry_too_far';

/** Signing was asked for something it must not issue. */
export class RecordingUrlSignError extends Error {
  override readonly name = 'RecordingUrlSignError';
  constructor(
    readonly code: RecordingUrlSignErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export type RecordingUrlErrorCode =
  /** A parameter is missing, repeated or not in its canonical form. */
  | 'malformed'
  /** The signature does not match: a field was changed, or another secret signed it. */
  | 'bad_signature'
  /** Genuine, but now >= exp. */
  | 'expired'
  /** Genuine and current, but for another recording, action or user than the request. */
  | 'mismatch';

export type RecordingUrlVerification =
  | { readonly ok: true; readonly claims: RecordingUrlClaims }
  | { readonly ok: false; readonly code: RecordingUrlErrorCode; readonly message: string };

function secretBytes(secret: Uint8Array | string): Uint8Array {
  const bytes = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
  if (bytes.byteLength < MIN_SECRET_BYTES) throw new RecordingUrlSecretError(bytes.byteLength);
  return bytes;
}

const validId = (s: unknown): s is string => typeof s === 'string' && s.length > 0 && s.length <= MAX_ID_LENGTH && !/[\u0000-\u001f\u007f]/.test(s);
const isAction = (s: unknown): s is RecordingUrlAction => s === 'play' || s === 'download';
const CANONICAL_INT = /^(0|[1-9][0-9]{0,15})$/;

function mac(key: Uint8Array, rid: string, act: string, uid: string, exp: string): Uint8Array {
  return hmac(SHA256, key, new TextEncoder().encode(JSON.stringify([DOMAIN, rid, act, uid, exp])));
}

/**
 * Signs a URL for `claims`, valid until `claims.expiresAt` (at most 15
 * minutes after `now`). Returns the query parameters and the query string.
 */
export function signRecordingUrl(claims: RecordingUrlClaims, secret: Uint8Array | string, now: number): { params: RecordingUrlParams; query: string } {
  const key = secretBytes(secret);
  const { recordingId, action, userId, expiresAt } = claims;
  if (!validId(recordingId) || !validId(userId) || !isAction(action) || !Number.isSafeInteger(expiresAt) || expiresAt < 0 || !Number.isFinite(now)) {
    throw new RecordingUrlSignError('invalid_claims', 'recording URL claims need ids of 1-256 printable characters, play|download and an integer expiry');
  }
  if (expiresAt <= now) throw new RecordingUrlSignError('expiry_not_in_future', 'a recording URL must expire in the future');
  if (expiresAt - now > MAX_URL_TTL_MS) throw new RecordingUrlSignError('expiry_too_far', `a recording URL may live at most ${MAX_URL_TTL_MS / 60000} minutes`);
  const exp = String(expiresAt);
  const params: RecordingUrlParams = { rid: recordingId, act: action, uid: userId, exp, sig: encodeBase64urlNoPadding(mac(key, recordingId, action, userId, exp)) };
  return { params, query: new URLSearchParams(params).toString() };
}

type ParamSource = URLSearchParams | Readonly<Record<string, unknown>>;

/** The single string value of a parameter, or null when it is absent, repeated or not a string. */
function single(source: ParamSource, name: string): string | null {
  if (source instanceof URLSearchParams) {
    const all = source.getAll(name);
    return all.length === 1 ? (all[0] ?? null) : null;
  }
  const v = Object.hasOwn(source, name) ? source[name] : undefined;
  return typeof v === 'string' ? v : null;
}

/**
 * Verifies a signed URL's parameters (URLSearchParams, or a parsed query
 * object as a web framework gives it) at `now`. With `expected`, the URL
 * must also be for that recording/action/user (the request's path and session).
 * Client problems are returned, never thrown; a too-short secret (a server
 * misconfiguration) throws RecordingUrlSecretError.
 */
export function verifyRecordingUrl(
  params: ParamSource,
  secret: Uint8Array | string,
  now: number,
  expected: { recordingId?: string; action?: RecordingUrlAction; userId?: string } = {},
): RecordingUrlVerification {
  const key = secretBytes(secret);
  const fail = (code: RecordingUrlErrorCode, message: string): RecordingUrlVerification => ({ ok: false, code, message });
  const rid = single(params, 'rid');
  const act = single(params, 'act');
  const uid = single(params, 'uid');
  const exp = single(params, 'exp');
  const sig = single(params, 'sig');
  if (!validId(rid) || !validId(uid)) return fail('malformed', 'recording URL: missing or invalid rid/uid');
  if (!isAction(act)) return fail('malformed', 'recording URL: act must be play or download');
  if (exp === null || !CANONICAL_INT.test(exp) || !Number.isSafeInteger(Number(exp))) return fail('malformed', 'recording URL: exp must be an integer');
  if (sig === null) return fail('malformed', 'recording URL: missing sig');
  let given: Uint8Array;
  try {
    given = decodeBase64urlIgnorePadding(sig);
  } catch {
    return fail('malformed', 'recording URL: sig is not base64url');
  }
  // Only the canonical spelling: no padding, no alternative trailing bits.
  if (given.byteLength !== 32 || encodeBase64urlNoPadding(given) !== sig) return fail('malformed', 'recording URL: sig is not a base64url HMAC-SHA256');

  if (!constantTimeEqual(given, mac(key, rid, act, uid, exp))) return fail('bad_signature', 'recording URL: signature does not match');
  const expiresAt = Number(exp);
  if (!(now < expiresAt)) return fail('expired', 'recording URL has expired');
  if (expected.recordingId !== undefined && expected.recordingId !== rid) return fail('mismatch', 'recording URL is for another recording');
  if (expected.action !== undefined && expected.action !== act) return fail('mismatch', `recording URL is not for ${expected.action}`);
  if (expected.userId !== undefined && expected.userId !== uid) return fail('mismatch', 'recording URL was issued to another user');
  return { ok: true, claims: { recordingId: rid, action: act, userId: uid, expiresAt } };
}
