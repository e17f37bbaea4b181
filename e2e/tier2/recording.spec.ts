import { chromium, expect, test, type Browser, type Page } from '@playwright/test';
import postgres from 'postgres';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { ADMIN, api, freePort, freeswitchBin, loginCookie, REPO, start, startPlatform, stopPid, type Platform, type Spawned } from '../support/platform.ts';
import { CHROMIUM_ARGS } from '../support/browser.ts';
import { parseWavHeader } from '../../orchestrator/src/media/wav.ts';

/**
 * Tier 2, call recording with every part real: sipp calls in and streams a
 * 1 kHz tone as the customer's voice; the agent's JsSIP softphone in headless
 * Chromium answers with a fake microphone playing a 440 Hz tone. The queue's
 * policy records from the agent's answer; the agent pauses and resumes the
 * recording from the call card, then hangs up. The stereo WAV (fetched through
 * the signed playback URL) must last as long as the CDR's talk time (±1 s),
 * carry the customer's tone on the left only and the agent's on the right only,
 * and be silent while paused.
 */
const CALLER_HZ = 1000;
const AGENT_HZ = 440;

interface Pcm {
  rate: number;
  channels: Int16Array[];
  durationSec: number;
}

function decodeWav(buf: Buffer): Pcm {
  const info = parseWavHeader(buf, buf.length);
  if (info.audioFormat !== 1 || info.bitsPerSample !== 16) throw new Error(`expected 16-bit PCM, got format ${info.audioFormat}/${info.bitsPerSample} bits`);
  const frames = info.dataBytes / info.blockAlign;
  const channels = Array.from({ length: info.channels }, () => new Int16Array(frames));
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < info.channels; c++) channels[c]![i] = buf.readInt16LE(info.dataOffset + i * info.blockAlign + c * 2);
  }
  return { rate: info.sampleRate, channels, durationSec: info.durationMs / 1000 };
}

/** Amplitude of the `hz` component of samples [fromSec, toSec) (Goertzel, scaled to the sine's peak). */
function toneAmplitude(pcm: Pcm, channel: number, hz: number, fromSec: number, toSec: number): number {
  const x = pcm.channels[channel]!;
  const a = Math.max(0, Math.floor(fromSec * pcm.rate));
  const b = Math.min(x.length, Math.floor(toSec * pcm.rate));
  const n = b - a;
  if (n <= 0) return 0;
  const coeff = 2 * Math.cos((2 * Math.PI * hz) / pcm.rate);
  let s1 = 0;
  let s2 = 0;
  for (let i = a; i < b; i++) {
    const s = x[i]! + coeff * s1 - s2;
    s2 = s1;
    s1 = s;
  }
  const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  return (2 * Math.sqrt(Math.max(0, power))) / n;
}

function rms(pcm: Pcm, channel: number, fromSec: number, toSec: number): number {
  const x = pcm.channels[channel]!;
  const a = Math.max(0, Math.floor(fromSec * pcm.rate));
  const b = Math.min(x.length, Math.floor(toSec * pcm.rate));
  let sum = 0;
  for (let i = a; i < b; i++) sum += x[i]! * x[i]!;
  return b > a ? Math.sqrt(sum / (b - a)) : 0;
}

const round = (n: number, d = 1) => Number(n.toFixed(d));

test.describe.serial('tier 2: call recording on real FreeSWITCH', () => {
  test.skip(!freeswitchBin(), 'tier 2 skipped: FreeSWITCH not found');
  let platform: Platform;
  let sql: postgres.Sql;
  let browser: Browser;
  let page: Page;
  let sipp: Spawned | null = null;
  let scenario: string;

  test.beforeAll(async () => {
    platform = await startPlatform({ freeswitch: 'real' });
    sql = postgres(platform.pgUrl, { max: 2 });
    // The two voices: sipp streams G.711 µ-law; Chromium's fake microphone reads a 16-bit WAV.
    const callerWav = path.join(platform.dataDir, 'caller-1k.wav');
    const agentWav = path.join(platform.dataDir, 'agent-440.wav');
    execFileSync('sox', ['-n', '-r', '8000', '-c', '1', '-e', 'u-law', callerWav, 'synth', '60', 'sine', String(CALLER_HZ), 'vol', '0.5']);
    execFileSync('sox', ['-n', '-r', '48000', '-c', '1', '-b', '16', agentWav, 'synth', '60', 'sine', String(AGENT_HZ), 'vol', '0.5']);
    scenario = path.join(platform.dataDir, 'caller-plays-audio.xml');
    fs.writeFileSync(scenario, fs.readFileSync(path.join(REPO, 'e2e/support/sipp/caller-plays-audio.xml'), 'utf8').replaceAll('@AUDIO@', callerWav));

    const admin = await loginCookie(platform.baseUrl, ADMIN.login, ADMIN.password);
    const agent = await api(platform.baseUrl, admin, 'POST', '/api/agents', { login: 'wang.fang', displayName: '王芳', extension: '1201', password: 'agent-password-1' });
    const queue = await api(platform.baseUrl, admin, 'POST', '/api/queues', { name: 'Recorded', inboundNumber: '4600', ringTimeoutSec: 30 });
    await api(platform.baseUrl, admin, 'PUT', `/api/queues/${queue.id}/agents`, { agentIds: [agent.id] });
    await api(platform.baseUrl, admin, 'PUT', `/api/recording-policies/queue/${queue.id}`, { mode: 'all', startAt: 'agent_answer' });

    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: [...CHROMIUM_ARGS, `--use-file-for-fake-audio-capture=${agentWav}`] });
    page = await (await browser.newContext()).newPage();
    await page.goto(platform.baseUrl);
    await page.getByTestId('login-input').fill('wang.fang');
    await page.getByTestId('password-input').fill('agent-password-1');
    await page.getByTestId('login-submit').click();
    await expect(page.getByTestId('sip-status')).toHaveAttribute('data-state', 'registered', { timeout: 20_000 });
  });

  test.afterAll(async () => {
    await stopPid(sipp?.child.pid, 2000);
    await browser?.close();
    await sql?.end();
    await platform?.stop();
  });

  test('a recorded call: stereo WAV, duration = CDR talk time, one side per channel, silent pause, audited playback, waveform player', async () => {
    await page.getByTestId('btn-ready').click();
    await expect(page.getByTestId('agent-status')).toHaveAttribute('data-state', 'ready');

    const sipPort = await freePort();
    const mediaPort = 30000 + 2 * Math.floor(Math.random() * 4000);
    sipp = start('sipp', [
      `127.0.0.1:${platform.ports.trunkSip}`, '-sf', scenario, '-s', '4600', '-m', '1',
      '-i', '127.0.0.1', '-p', String(sipPort), '-mp', String(mediaPort), '-nostdin', '-timeout', '90s',
    ], {}, path.join(platform.dataDir, 'sipp-recording.log'));

    const card = page.getByTestId('call-card');
    await expect(page.getByTestId('btn-answer')).toBeEnabled({ timeout: 20_000 });
    const callId = (await card.getAttribute('data-call-id'))!;
    await page.getByTestId('btn-answer').click();
    await expect(page.getByTestId('call-state')).toHaveAttribute('data-state', 'connected');
    await expect(page.getByTestId('rec-state')).toHaveAttribute('data-state', 'recording', { timeout: 10_000 });

    await page.waitForTimeout(3000);
    await page.getByTestId('btn-rec-pause').click();
    await expect(page.getByTestId('rec-state')).toHaveAttribute('data-state', 'paused');
    await page.waitForTimeout(2500);
    await page.getByTestId('btn-rec-resume').click();
    await expect(page.getByTestId('rec-state')).toHaveAttribute('data-state', 'recording');
    await page.waitForTimeout(3000);
    await page.getByTestId('btn-hangup').click();
    await expect(page.getByTestId('call-state')).toHaveAttribute('data-state', 'ended', { timeout: 15_000 });

    await expect.poll(async () => (await sql`select status from recordings where call_id = ${callId}`)[0]?.status, { timeout: 20_000 }).toBe('stored');
    await expect.poll(async () => (await sql`select outcome from cdrs where id = ${callId}`)[0]?.outcome, { timeout: 10_000 }).toBe('answered');
    const [rec] = await sql`select * from recordings where call_id = ${callId}`;
    const [cdr] = await sql`select * from cdrs where id = ${callId}`;
    expect(await sql`select id from recordings where call_id = ${callId}`).toHaveLength(1);

    // The file as a player gets it: through the signed playback URL (which is audited).
    const agentCookie = await loginCookie(platform.baseUrl, 'wang.fang', 'agent-password-1');
    const { url } = await api(platform.baseUrl, agentCookie, 'POST', `/api/recordings/${rec!.id}/playback`);
    const res = await fetch(platform.baseUrl + url);
    expect(res.status).toBe(200);
    const pcm = decodeWav(Buffer.from(await res.arrayBuffer()));
    const talk = Number(cdr!.talk_seconds);
    const pause = (rec!.pauses as { fromMs: number; toMs: number }[])[0]!;
    const p0 = pause.fromMs / 1000;
    const p1 = pause.toMs / 1000;
    const before: [number, number] = [0.5, p0 - 0.3];
    const after: [number, number] = [p1 + 0.3, pcm.durationSec - 0.5];
    const inside: [number, number] = [p0 + 0.2, p1 - 0.2];
    const m = {
      leftCaller: toneAmplitude(pcm, 0, CALLER_HZ, ...before),
      leftAgent: toneAmplitude(pcm, 0, AGENT_HZ, ...before),
      rightAgent: toneAmplitude(pcm, 1, AGENT_HZ, ...before),
      rightCaller: toneAmplitude(pcm, 1, CALLER_HZ, ...before),
      leftCallerAfter: toneAmplitude(pcm, 0, CALLER_HZ, ...after),
      rightAgentAfter: toneAmplitude(pcm, 1, AGENT_HZ, ...after),
      pauseRmsLeft: rms(pcm, 0, ...inside),
      pauseRmsRight: rms(pcm, 1, ...inside),
    };
    console.log(
      `tier 2 recording: ${pcm.channels.length} channels at ${pcm.rate} Hz, duration ${round(pcm.durationSec, 2)} s vs CDR talk ${talk} s; ` +
        `left ${CALLER_HZ} Hz amplitude ${round(m.leftCaller)} (${AGENT_HZ} Hz ${round(m.leftAgent)}), right ${AGENT_HZ} Hz ${round(m.rightAgent)} (${CALLER_HZ} Hz ${round(m.rightCaller)}); ` +
        `after the pause left ${round(m.leftCallerAfter)}, right ${round(m.rightAgentAfter)}; pause ${round(p0, 2)}-${round(p1, 2)} s RMS left ${round(m.pauseRmsLeft, 2)} right ${round(m.pauseRmsRight, 2)}`,
    );
    expect(pcm.channels).toHaveLength(2);
    expect(rec!.channels).toBe(2);
    expect(Math.abs(pcm.durationSec - talk)).toBeLessThan(1);
    expect(Math.abs(rec!.duration_ms / 1000 - pcm.durationSec)).toBeLessThan(0.01);
    expect(p1 - p0).toBeGreaterThan(2);
    // Customer on the left only, agent on the right only, before and after the pause.
    expect(m.leftCaller).toBeGreaterThan(300);
    expect(m.leftCaller).toBeGreaterThan(10 * m.leftAgent);
    expect(m.rightAgent).toBeGreaterThan(100);
    expect(m.rightAgent).toBeGreaterThan(10 * m.rightCaller);
    expect(m.leftCallerAfter).toBeGreaterThan(300);
    expect(m.rightAgentAfter).toBeGreaterThan(100);
    // The paused span is silent on both channels.
    expect(m.pauseRmsLeft).toBeLessThan(20);
    expect(m.pauseRmsRight).toBeLessThan(20);
    const audited = await sql`select count(*)::int as n from audit_log where action = 'recording.play' and target = ${rec!.id} and details->>'outcome' = 'allowed'`;
    expect(audited[0]!.n).toBeGreaterThanOrEqual(1);

    // The agent plays it in the page: wavesurfer decodes the stereo file (another audited playback).
    await page.getByTestId('rec-search').click();
    const row = page.locator(`[data-testid="recording-row"][data-call-id="${callId}"]`);
    await row.getByTestId('rec-play').click();
    const player = page.getByTestId('recording-player');
    await expect(player).toHaveAttribute('data-state', 'ready', { timeout: 20_000 });
    const shown = Number(await player.getAttribute('data-duration-sec'));
    console.log(`tier 2 recording player: wavesurfer ready, duration ${shown} s`);
    expect(Math.abs(shown - pcm.durationSec)).toBeLessThan(0.2);
    await expect.poll(async () => (await sql`select count(*)::int as n from audit_log where action = 'recording.play' and target = ${rec!.id}`)[0]!.n).toBeGreaterThanOrEqual(2);
  });
});
