import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { dueAnnouncements, positionAnnouncement, type WaitingPosition } from '../../src/acd/announcements.ts';
import { EspeakTts } from '../../src/tts/tts.ts';
import { uuidBroadcast } from '../../src/esl/commands.ts';

describe('queue position announcements', () => {
  it('says the place and the estimated wait in Chinese and English', () => {
    expect(positionAnnouncement('zh-CN', 4, 150)).toBe('您前面还有3位客户在等待。预计等待时间约3分钟。请不要挂机。');
    expect(positionAnnouncement('zh-CN', 1, null)).toBe('您是下一位。请不要挂机。');
    expect(positionAnnouncement('en', 2, 40)).toBe('There are 1 callers ahead of you. The estimated wait is about 1 minute. Please stay on the line.');
    expect(positionAnnouncement('en', 1, 600)).toContain('about 10 minutes');
  });

  it('is due every N seconds of waiting, never while ringing, and not for queues without announcements', () => {
    const w = (callId: string, queueId: string, enqueuedAt: number, ringing = false): WaitingPosition => ({ callId, callerUuid: callId, queueId, position: 1, ringing, enqueuedAt });
    const waiting = [w('a', 'q1', 0), w('b', 'q1', 10_000), w('c', 'q1', 0, true), w('d', 'q2', 0)];
    const every = (q: string) => (q === 'q1' ? 30 : 0);
    expect(dueAnnouncements(waiting, every, new Map(), 30_000).map((x) => x.callId)).toEqual(['a']);
    expect(dueAnnouncements(waiting, every, new Map([['a', 30_000]]), 45_000).map((x) => x.callId)).toEqual(['b']);
    expect(dueAnnouncements(waiting, every, new Map([['a', 30_000]]), 59_999).map((x) => x.callId)).toEqual(['b']);
  });

  it('only broadcasts safe absolute file paths', () => {
    const uuid = '11111111-1111-4111-8111-111111111111';
    expect(uuidBroadcast(uuid, '/data/prompts/abc.wav')).toBe(`uuid_broadcast ${uuid} /data/prompts/abc.wav aleg`);
    expect(() => uuidBroadcast(uuid, 'relative.wav')).toThrow();
    expect(() => uuidBroadcast(uuid, '/data/../etc/passwd')).toThrow();
    expect(() => uuidBroadcast(uuid, '/data/a b.wav')).toThrow();
  });
});

const espeak = await EspeakTts.available();
describe.skipIf(!espeak)('espeak-ng text to speech', () => {
  it('speaks Mandarin and English into cached 8 kHz WAV files', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-tts-'));
    try {
      const tts = new EspeakTts(dir);
      const zh = await tts.synthesize('您前面还有3位客户在等待。', 'zh-CN');
      const en = await tts.synthesize('You are next in line.', 'en');
      expect(zh).not.toBe(en);
      for (const file of [zh, en]) {
        const info = execFileSync('soxi', [file]).toString();
        expect(info).toMatch(/Sample Rate\s+: 8000/);
        expect(Number(/Duration\s+: \d+:\d+:([\d.]+)/.exec(info)?.[1])).toBeGreaterThan(0.8);
      }
      const mtime = fs.statSync(zh).mtimeMs;
      expect(await tts.synthesize('您前面还有3位客户在等待。', 'zh-CN')).toBe(zh);
      expect(fs.statSync(zh).mtimeMs).toBe(mtime);
      await expect(tts.synthesize('', 'en')).rejects.toThrow(/1-500/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!espeak)('the queue announcer', () => {
  it('plays each waiting caller their position, then again after the interval', async () => {
    const { Acd } = await import('../../src/acd/acd.ts');
    const { QueueAnnouncer } = await import('../../src/acd/queue-announcer.ts');
    const { QUEUE_DEFAULTS } = await import('../../src/acd/config.ts');
    const pino = (await import('pino')).default;
    let now = 1_000_000;
    const played: { uuid: string; file: string }[] = [];
    const control = {
      offer: () => new Promise<never>(() => {}), bridge: async () => {}, hangup: async () => {}, divert: async () => {}, dialOut: async () => {},
      announce: async (uuid: string, file: string) => void played.push({ uuid, file }),
    };
    const acd = new Acd(control, pino({ level: 'silent' }), () => now);
    acd.configure([{ ...QUEUE_DEFAULTS, id: 'q', organizationId: 'o', name: 'q', announceEverySec: 30, members: [] }], []);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-ann-'));
    try {
      const announcer = new QueueAnnouncer(acd, control, new EspeakTts(dir), () => 120, () => 'zh-CN', pino({ level: 'silent' }));
      for (const id of ['11111111-1111-4111-8111-000000000001', '11111111-1111-4111-8111-000000000002']) {
        acd.enqueue({ callId: id, callerUuid: id, queueId: 'q', callerNumber: '1', callerName: '', enqueuedAt: now, priority: 0, requiredSkills: [], preferredAgentId: null });
        now += 1;
      }
      await announcer.tick(now + 10_000);
      expect(played).toHaveLength(0);
      await announcer.tick(now + 30_000);
      expect(played.map((p) => p.uuid)).toEqual(['11111111-1111-4111-8111-000000000001', '11111111-1111-4111-8111-000000000002']);
      expect(played[0]!.file).not.toBe(played[1]!.file); // "you are next" vs "1 caller ahead"
      expect(fs.existsSync(played[1]!.file)).toBe(true);
      await announcer.tick(now + 45_000);
      expect(played).toHaveLength(2);
      await announcer.tick(now + 60_000);
      expect(played).toHaveLength(4);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
