import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Sql } from '../../db/client.ts';

const run = promisify(execFile);

export class PromptConversionError extends Error {
  override readonly name = 'PromptConversionError';
}

export interface PromptFile {
  id: string;
  name: string;
  /** The path a flow's `{ file }` prompt uses. */
  filePath: string;
  durationMs: number;
  originalName: string;
  createdAt: string;
}

export const PROMPT_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_SECONDS = 600;

/**
 * Uploaded prompts (WAV or MP3) converted by sox into what FreeSWITCH plays
 * without transcoding surprises: 8 kHz, mono, 16-bit PCM WAV, loudness kept.
 * Files live in the prompts folder FreeSWITCH reads; rows in `prompts`.
 */
export class PromptLibrary {
  constructor(
    private readonly sql: Sql,
    private readonly dir: string,
  ) {}

  async list(organizationId: string): Promise<PromptFile[]> {
    const rows = await this.sql<{ id: string; name: string; file_path: string; duration_ms: number; original_name: string; created_at: Date }[]>`
      select id, name, file_path, duration_ms, original_name, created_at from prompts where organization_id = ${organizationId} order by name`;
    return rows.map((r) => ({ id: r.id, name: r.name, filePath: r.file_path, durationMs: r.duration_ms, originalName: r.original_name, createdAt: r.created_at.toISOString() }));
  }

  /** Converts and stores an upload under `name` (replacing an earlier prompt of that name). */
  async add(organizationId: string, name: string, originalName: string, data: Buffer, userId: string): Promise<PromptFile> {
    if (!PROMPT_NAME.test(name)) throw new PromptConversionError('prompt name: 1-64 letters, digits, _ or -');
    const kind = sniff(data);
    if (!kind) throw new PromptConversionError('not a WAV or MP3 file');
    const folder = path.join(this.dir, 'uploads', organizationId);
    fs.mkdirSync(folder, { recursive: true });
    const input = path.join(folder, `.${randomUUID()}.${kind}`);
    const output = path.join(folder, `${name}.${randomUUID().slice(0, 8)}.wav`);
    fs.writeFileSync(input, data);
    let durationMs: number;
    try {
      await run('sox', [input, '-r', '8000', '-c', '1', '-b', '16', '-e', 'signed-integer', output], { timeout: 60_000 });
      const { stdout } = await run('soxi', ['-D', output]);
      durationMs = Math.round(Number(stdout.trim()) * 1000);
      if (!Number.isFinite(durationMs) || durationMs <= 0) throw new PromptConversionError('the file holds no audio');
      if (durationMs > MAX_SECONDS * 1000) throw new PromptConversionError(`prompts are at most ${MAX_SECONDS} s long`);
    } catch (err) {
      fs.rmSync(output, { force: true });
      if (err instanceof PromptConversionError) throw err;
      // sox's own complaint (stderr), not execFile's "Command failed: sox <paths>": it names no server paths.
      const stderr = String((err as { stderr?: unknown }).stderr ?? '').trim();
      const reason = (stderr || (err as Error).message).split('\n')[0]!.replaceAll(folder + path.sep, '');
      throw new PromptConversionError(`sox could not convert the file: ${reason}`);
    } finally {
      fs.rmSync(input, { force: true });
    }
    // Replacing a name keeps the old file: published flows name files by path, and calls may be playing it.
    const [row] = await this.sql<{ id: string; created_at: Date }[]>`
      insert into prompts (organization_id, name, file_path, duration_ms, original_name, created_by)
      values (${organizationId}, ${name}, ${output}, ${durationMs}, ${originalName.slice(0, 200)}, ${userId})
      on conflict (organization_id, name) do update set file_path = excluded.file_path, duration_ms = excluded.duration_ms,
        original_name = excluded.original_name, created_by = excluded.created_by, created_at = now()
      returning id, created_at`;
    return { id: row!.id, name, filePath: output, durationMs, originalName, createdAt: row!.created_at.toISOString() };
  }
}

/** WAV (RIFF/WAVE) or MP3 (ID3 tag or an MPEG frame sync), from the first bytes. */
export function sniff(data: Buffer): 'wav' | 'mp3' | null {
  if (data.length < 12) return null;
  if (data.toString('ascii', 0, 4) === 'RIFF' && data.toString('ascii', 8, 12) === 'WAVE') return 'wav';
  if (data.toString('ascii', 0, 3) === 'ID3') return 'mp3';
  if (data[0] === 0xff && ((data[1] ?? 0) & 0xe0) === 0xe0) return 'mp3';
  return null;
}
