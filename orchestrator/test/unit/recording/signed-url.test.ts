import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  MAX_URL_TTL_MS,
  RecordingUrlSecretError,
  RecordingUrlSignError,
  signRecordingUrl,
  verifyRecordingUrl,
  type RecordingUrlClaims,
} from '../../../src/recording/signed-url.ts';

const SECRET = new Uint8Array(32).map((_, i) => i + 1);
const OTHER_SECRET = new Uint8Array(32).map((_, i) => 255 - i);
const NOW = 1_750_000_000_000;
const claims: RecordingUrlClaims = { recordingId: 'rec-7f3a', action: 'play', userId: 'u-42', expiresAt: NOW + 5 * 60_000 };

const signed = () => signRecordingUrl(claims, SECRET, NOW);
const query = (over: Record<string, string> = {}) => new URLSearchParams({ ...signed().params, ...over });

describe('signing', () => {
  it('produces the documented query, an HMAC-SHA256 over the JSON claims', () => {
    const { params, query: q } = signed();
    const expectedSig = createHmac('sha256', SECRET).update(JSON.stringify(['recording-url/v1', 'rec-7f3a', 'play', 'u-42', String(claims.expiresAt)])).digest('base64url');
    expect(params).toEqual({ rid: 'rec-7f3a', act: 'play', uid: 'u-42', exp: String(claims.expiresAt), sig: expectedSig });
    expect(q).toBe(`rid=rec-7f3a&act=play&uid=u-42&exp=${claims.expiresAt}&sig=${expectedSig}`);
    expect(params.sig).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('round-trips, also through a parsed query object', () => {
    expect(verifyRecordingUrl(new URLSearchParams(signed().query), SECRET, NOW)).toEqual({ ok: true, claims });
    expect(verifyRecordingUrl({ ...signed().params }, SECRET, NOW)).toEqual({ ok: true, claims });
  });

  it('encodes ids with any characters unambiguously', () => {
    const odd = { ...claims, recordingId: 'a&b=c "d"', userId: '用户/1' };
    const { query: q } = signRecordingUrl(odd, SECRET, NOW);
    expect(verifyRecordingUrl(new URLSearchParams(q), SECRET, NOW)).toEqual({ ok: true, claims: odd });
  });

  it('accepts an expiry up to exactly 15 minutes ahead, and no further', () => {
    expect(() => signRecordingUrl({ ...claims, expiresAt: NOW + MAX_URL_TTL_MS }, SECRET, NOW)).not.toThrow();
    expect(() => signRecordingUrl({ ...claims, expiresAt: NOW + MAX_URL_TTL_MS + 1 }, SECRET, NOW)).toThrow(expect.objectContaining({ code: 'expiry_too_far' }));
    expect(MAX_URL_TTL_MS).toBe(900_000);
  });

  it('refuses expiries that are not in the future', () => {
    expect(() => signRecordingUrl({ ...claims, expiresAt: NOW }, SECRET, NOW)).toThrow(expect.objectContaining({ code: 'expiry_not_in_future' }));
    expect(() => signRecordingUrl({ ...claims, expiresAt: NOW - 1 }, SECRET, NOW)).toThrow(RecordingUrlSignError);
    expect(() => signRecordingUrl({ ...claims, expiresAt: NOW + 1 }, SECRET, NOW)).not.toThrow();
  });

  it('refuses invalid claims', () => {
    const bad: Partial<RecordingUrlClaims>[] = [
      { recordingId: '' }, { userId: '' }, { recordingId: 'a\nb' }, { recordingId: 'x'.repeat(257) },
      { action: 'delete' as never }, { expiresAt: NOW + 1.5 }, { expiresAt: Number.NaN },
    ];
    for (const b of bad) expect(() => signRecordingUrl({ ...claims, ...b }, SECRET, NOW), JSON.stringify(b)).toThrow(expect.objectContaining({ code: 'invalid_claims' }));
  });

  it('requires secrets of at least 32 bytes, when signing and verifying', () => {
    expect(() => signRecordingUrl(claims, SECRET.slice(0, 31), NOW)).toThrow(RecordingUrlSecretError);
    expect(() => signRecordingUrl(claims, 'x'.repeat(31), NOW)).toThrow(RecordingUrlSecretError);
    expect(() => signRecordingUrl(claims, 'x'.repeat(32), NOW)).not.toThrow();
    expect(() => verifyRecordingUrl(query(), new Uint8Array(0), NOW)).toThrow(RecordingUrlSecretError);
  });
});

describe('verification', () => {
  it('is valid until just before the expiry, expired at and after it', () => {
    const exp = claims.expiresAt;
    expect(verifyRecordingUrl(query(), SECRET, exp - 1)).toMatchObject({ ok: true });
    expect(verifyRecordingUrl(query(), SECRET, exp)).toMatchObject({ ok: false, code: 'expired' });
    expect(verifyRecordingUrl(query(), SECRET, exp + 1)).toMatchObject({ ok: false, code: 'expired' });
    expect(verifyRecordingUrl(query(), SECRET, Number.NaN)).toMatchObject({ ok: false, code: 'expired' });
  });

  it.each([
    ['rid', 'rec-7f3b'],
    ['act', 'download'],
    ['uid', 'u-43'],
    ['exp', String(claims.expiresAt + 60_000)],
    ['exp', String(claims.expiresAt - 1)],
  ])('detects a tampered %s (%s)', (field, value) => {
    expect(verifyRecordingUrl(query({ [field]: value }), SECRET, NOW)).toMatchObject({ ok: false, code: 'bad_signature' });
  });

  it('detects a tampered signature, wherever the change is', () => {
    const sig = signed().params.sig;
    for (let i = 0; i < sig.length - 1; i++) {
      const flipped = sig.slice(0, i) + (sig[i] === 'A' ? 'B' : 'A') + sig.slice(i + 1);
      expect(verifyRecordingUrl(query({ sig: flipped }), SECRET, NOW), `position ${i}`).toMatchObject({ ok: false, code: 'bad_signature' });
    }
  });

  it('rejects a URL signed with another secret', () => {
    expect(verifyRecordingUrl(query(), OTHER_SECRET, NOW)).toMatchObject({ ok: false, code: 'bad_signature' });
    const foreign = signRecordingUrl(claims, OTHER_SECRET, NOW);
    expect(verifyRecordingUrl(new URLSearchParams(foreign.query), SECRET, NOW)).toMatchObject({ ok: false, code: 'bad_signature' });
  });

  it('reports a tampered expired URL as tampered, not expired', () => {
    expect(verifyRecordingUrl(query({ uid: 'u-43' }), SECRET, claims.expiresAt + 1)).toMatchObject({ ok: false, code: 'bad_signature' });
  });

  it.each<[string, URLSearchParams | Record<string, unknown>]>([
    ['missing rid', (() => { const q = query(); q.delete('rid'); return q; })()],
    ['missing sig', (() => { const q = query(); q.delete('sig'); return q; })()],
    ['repeated uid', (() => { const q = query(); q.append('uid', 'u-42'); return q; })()],
    ['unknown act', query({ act: 'delete' })],
    ['exp not a number', query({ exp: 'soon' })],
    ['exp with a leading zero', query({ exp: `0${claims.expiresAt}` })],
    ['exp in exponent form', query({ exp: '1.75e12' })],
    ['exp negative', query({ exp: '-1' })],
    ['sig not base64url', query({ sig: 'a+b/' + 'A'.repeat(39) })],
    ['sig too short', query({ sig: 'AAAA' })],
    ['sig with padding', query({ sig: `${signed().params.sig}=` })],
    ['empty rid', query({ rid: '' })],
    ['array value in a parsed query', { ...signed().params, uid: ['u-42', 'u-43'] }],
    ['non-string value', { ...signed().params, exp: claims.expiresAt }],
    ['inherited property', Object.create(signed().params) as Record<string, unknown>],
  ])('rejects as malformed: %s', (_name, params) => {
    expect(verifyRecordingUrl(params, SECRET, NOW)).toMatchObject({ ok: false, code: 'malformed' });
  });

  it('rejects a non-canonical spelling of the signature', () => {
    // The last base64url character of a 32-byte value carries 2 padding bits; another character with the same 4 data bits decodes to the same bytes.
    const sig = signed().params.sig;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(sig.at(-1)!);
    const twin = sig.slice(0, -1) + alphabet[last ^ 1];
    expect(verifyRecordingUrl(query({ sig: twin }), SECRET, NOW)).toMatchObject({ ok: false, code: 'malformed' });
  });

  it('checks that a genuine URL is used for its recording, action and user', () => {
    expect(verifyRecordingUrl(query(), SECRET, NOW, { recordingId: 'rec-7f3a', action: 'play', userId: 'u-42' })).toMatchObject({ ok: true });
    expect(verifyRecordingUrl(query(), SECRET, NOW, { recordingId: 'rec-other' })).toMatchObject({ ok: false, code: 'mismatch' });
    expect(verifyRecordingUrl(query(), SECRET, NOW, { action: 'download' })).toMatchObject({ ok: false, code: 'mismatch' });
    expect(verifyRecordingUrl(query(), SECRET, NOW, { userId: 'u-43' })).toMatchObject({ ok: false, code: 'mismatch' });
  });
});
