import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { UnsafeCommandArgumentError, uuidRecord, uuidSetVarMulti } from '../../../src/esl/commands.ts';
import { REPO_ROOT, ConfigError, loadConfig } from '../../../src/config/config.ts';
import type { FsEvent } from '../../../src/esl/event.ts';
import { interpretRecordEvent } from '../../../src/recording/events.ts';
import { msUntilLocalHour } from '../../../src/recording/jobs.ts';
import { assertStorageKey, recordingKey, UnsafeStorageKeyError } from '../../../src/recording/storage.ts';
import { parseWavHeader, pcmWavHeader, WavFormatError } from '../../../src/media/wav.ts';

const UUID = '9a9dac13-e942-4780-8a52-2f7546943380';

describe('uuidRecord command builder', () => {
  it('builds the four actions as FreeSWITCH expects them (the 03-inbound-call-lifecycle trace)', () => {
    expect(uuidRecord(UUID, 'start', '/usr/share/fs/recordings/eslfix3-json.wav')).toBe(`uuid_record ${UUID} start /usr/share/fs/recordings/eslfix3-json.wav`);
    expect(uuidRecord(UUID, 'stop', '/r/a.wav')).toBe(`uuid_record ${UUID} stop /r/a.wav`);
    expect(uuidRecord(UUID, 'mask', '/r/a.wav')).toBe(`uuid_record ${UUID} mask /r/a.wav`);
    expect(uuidRecord(UUID, 'unmask', '/r/a.wav')).toBe(`uuid_record ${UUID} unmask /r/a.wav`);
    expect(uuidRecord(UUID, 'start', '/r/a.wav', 3600)).toBe(`uuid_record ${UUID} start /r/a.wav 3600`);
  });

  it.each([
    ['a relative path', UUID, 'start', 'r/a.wav'],
    ['a path with spaces (a second argument)', UUID, 'start', '/r/a b.wav'],
    ['a path climbing out', UUID, 'start', '/r/../etc/a.wav'],
    ['a command on a new line', UUID, 'start', '/r/a.wav\nuuid_kill x'],
    ['not a WAV', UUID, 'start', '/r/a.mp3'],
    ['a bad uuid', 'abc; uuid_kill', 'start', '/r/a.wav'],
    ['an unknown action', UUID, 'delete', '/r/a.wav'],
  ])('refuses %s', (_what, uuid, action, file) => {
    expect(() => uuidRecord(uuid, action as 'start', file)).toThrow(UnsafeCommandArgumentError);
  });

  it('takes a limit only on start, in whole seconds', () => {
    expect(() => uuidRecord(UUID, 'stop', '/r/a.wav', 10)).toThrow(UnsafeCommandArgumentError);
    expect(() => uuidRecord(UUID, 'start', '/r/a.wav', 1.5)).toThrow(UnsafeCommandArgumentError);
    expect(() => uuidRecord(UUID, 'start', '/r/a.wav', 0)).toThrow(UnsafeCommandArgumentError);
  });
});

describe('uuidSetVarMulti', () => {
  it('sets several variables in one command, refusing values that would split it', () => {
    expect(uuidSetVarMulti(UUID, { RECORD_STEREO: 'true', RECORD_MIN_SEC: '0' })).toBe(`uuid_setvar_multi ${UUID} RECORD_STEREO=true;RECORD_MIN_SEC=0`);
    expect(() => uuidSetVarMulti(UUID, { A: 'x;uuid_kill' })).toThrow(UnsafeCommandArgumentError);
    expect(() => uuidSetVarMulti(UUID, { A: 'x y' })).toThrow(UnsafeCommandArgumentError);
    expect(() => uuidSetVarMulti(UUID, {})).toThrow(UnsafeCommandArgumentError);
  });
});

describe('parseWavHeader', () => {
  const wav = (o: { channels: number; sampleRate: number; dataBytes: number }, extraChunk = false) => {
    const head = pcmWavHeader({ ...o, bitsPerSample: 16 });
    if (!extraChunk) return Buffer.concat([head, Buffer.alloc(o.dataBytes)]);
    // A LIST chunk (odd size, padded) between fmt and data, as some writers add.
    const list = Buffer.concat([Buffer.from('LIST'), Buffer.from([5, 0, 0, 0]), Buffer.from('INFOx'), Buffer.alloc(1)]);
    return Buffer.concat([head.subarray(0, 36), list, head.subarray(36), Buffer.alloc(o.dataBytes)]);
  };

  it('reads channels, rate and duration of a stereo 8 kHz file', () => {
    const buf = wav({ channels: 2, sampleRate: 8000, dataBytes: 8000 * 4 * 3 });
    expect(parseWavHeader(buf, buf.length)).toMatchObject({ audioFormat: 1, channels: 2, sampleRate: 8000, bitsPerSample: 16, dataOffset: 44, dataBytes: 96000, durationMs: 3000, sizeFromFile: false });
  });

  it('skips other chunks (word-aligned) before the data', () => {
    const buf = wav({ channels: 1, sampleRate: 16000, dataBytes: 32000 }, true);
    expect(parseWavHeader(buf, buf.length)).toMatchObject({ channels: 1, durationMs: 1000, dataOffset: 58 });
  });

  it('uses the size on disk when the header was not updated (a file still being written), in whole frames', () => {
    const buf = wav({ channels: 2, sampleRate: 8000, dataBytes: 0 });
    const grown = Buffer.concat([buf, Buffer.alloc(16003)]);
    expect(parseWavHeader(grown, grown.length)).toMatchObject({ dataBytes: 16000, durationMs: 500, sizeFromFile: true });
    const lying = wav({ channels: 2, sampleRate: 8000, dataBytes: 1_000_000 }).subarray(0, 44 + 3200);
    expect(parseWavHeader(lying, lying.length)).toMatchObject({ dataBytes: 3200, durationMs: 100, sizeFromFile: true });
  });

  it.each([
    ['not RIFF', Buffer.from('OggS0000WAVEfmt ')],
    ['too short', Buffer.from('RIFF')],
    ['no data chunk', pcmWavHeader({ channels: 1, sampleRate: 8000, bitsPerSample: 16, dataBytes: 0 }).subarray(0, 36)],
  ])('refuses %s', (_what, buf) => {
    expect(() => parseWavHeader(buf, buf.length)).toThrow(WavFormatError);
  });
});

describe('RECORD_START / RECORD_STOP events', () => {
  const require = createRequire(import.meta.url);
  const templates = (require('../../esl-peer/event-templates.json') as { events: Record<string, Record<string, string>> }).events;
  const event = (name: string, extra: Record<string, string> = {}): FsEvent => {
    const headers = new Map(Object.entries({ ...templates[name]!, ...extra }).map(([k, v]) => [k, String(v)]));
    return { name, subclass: undefined, uuid: headers.get('Unique-ID'), at: 1795301582381, headers, body: '' };
  };

  it('reads the recorded FreeSWITCH events (file path, channel, record_ms)', () => {
    expect(interpretRecordEvent(event('RECORD_START'))).toEqual({ kind: 'record_start', uuid: UUID, path: '/usr/share/fs/recordings/eslfix3-json.wav', at: 1795301582381, recordMs: null });
    const stop = interpretRecordEvent(event('RECORD_STOP'));
    expect(stop).toMatchObject({ kind: 'record_stop', uuid: UUID, path: '/usr/share/fs/recordings/eslfix3-json.wav' });
    expect(stop!.recordMs).toBe(Number(templates.RECORD_STOP!.variable_record_ms));
  });

  it('ignores other events and malformed ones', () => {
    expect(interpretRecordEvent(event('CHANNEL_ANSWER'))).toBeNull();
    expect(interpretRecordEvent(event('RECORD_STOP', { 'Record-File-Path': '../../etc/passwd.wav' }))).toBeNull();
    expect(interpretRecordEvent(event('RECORD_STOP', { 'Unique-ID': 'nope' }))).toBeNull();
  });
});

describe('storage keys', () => {
  it('files a recording under its UTC day', () => {
    expect(recordingKey('0b0c9d4e-1f2a-4b3c-8d4e-5f6a7b8c9d0e', new Date('2026-11-21T23:30:00+08:00'))).toBe('2026/11/21/0b0c9d4e-1f2a-4b3c-8d4e-5f6a7b8c9d0e.wav');
  });
  it.each(['../x.wav', '/abs/x.wav', 'a//b.wav', 'a/b.mp3', 'a b.wav'])('refuses %s', (key) => {
    expect(() => assertStorageKey(key)).toThrow(UnsafeStorageKeyError);
  });
});

describe('nightly schedule', () => {
  it('waits until the next local 03:00 in the configured time zone', () => {
    // 2026-11-21 20:00 in Shanghai (UTC+8) = 12:00 UTC: 7 h to 03:00.
    expect(msUntilLocalHour(Date.parse('2026-11-21T12:00:00Z'), 'Asia/Shanghai', 3)).toBe(7 * 3600_000);
    // 02:59:30 local: less than a minute away, so the day after.
    expect(msUntilLocalHour(Date.parse('2026-11-21T18:59:30Z'), 'Asia/Shanghai', 3)).toBe(24 * 3600_000 + 30_000);
  });
});

describe('recording configuration', () => {
  it('defaults to local storage and leaves the recordings dir to the data dir', () => {
    const c = loadConfig({});
    expect(c.CC_RECORDING_STORAGE).toBe('local');
    expect(c.CC_RECORDINGS_DIR).toBeUndefined();
  });

  it('names each mistake on its own line', () => {
    let err: unknown;
    try {
      loadConfig({ CC_RECORDING_STORAGE: 's3', CC_RECORDING_S3_ACCESS_KEY_ID: 'AKIA', CC_RECORDINGS_DIR: 'relative/dir', CC_RECORDING_URL_SECRET: 'short' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^CC_RECORDINGS_DIR: an absolute path/),
        expect.stringMatching(/^CC_RECORDING_URL_SECRET: at least 32 characters/),
      ]),
    );
  });

  it('requires a bucket for S3 and both keys or none', () => {
    const problems = (() => {
      try {
        loadConfig({ CC_RECORDING_STORAGE: 's3', CC_RECORDING_S3_ACCESS_KEY_ID: 'AKIA' });
        return [];
      } catch (e) {
        return (e as ConfigError).problems;
      }
    })();
    expect(problems).toEqual(['CC_RECORDING_S3_BUCKET: required when CC_RECORDING_STORAGE=s3', expect.stringMatching(/^CC_RECORDING_S3_SECRET_ACCESS_KEY: set both/)]);
    expect(loadConfig({ CC_RECORDING_STORAGE: 's3', CC_RECORDING_S3_BUCKET: 'cc-recordings', CC_RECORDING_S3_FORCE_PATH_STYLE: 'true' })).toMatchObject({ CC_RECORDING_S3_FORCE_PATH_STYLE: true, CC_RECORDING_S3_REGION: 'us-east-1' });
  });

  it('mounts the recordings volume in both containers at the same path', () => {
    const compose = fs.readFileSync(path.join(REPO_ROOT, 'freeswitch', 'compose.yaml'), 'utf8');
    const mounts = [...compose.matchAll(/- recordings:(\S+)/g)].map((m) => m[1]);
    expect(mounts.length).toBe(2);
    expect(new Set(mounts).size).toBe(1);
    expect(compose).toContain(`CC_RECORDINGS_DIR: ${mounts[0]}`);
  });
});
