import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, NoSuchKey, NotFound, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

/**
 * Where finished recordings are kept: the local disk (default) or an
 * S3-compatible object store. Keys are relative, `/`-separated, e.g.
 * `2026/11/21/<recording id>.wav`; the storage decides where they live.
 */
export interface RecordingStorage {
  readonly kind: 'local' | 's3';
  /** Moves (local) or uploads (s3) the finished capture file to `key`; the capture file is gone afterwards. */
  store(captureFile: string, key: string, meta: { sha256: string; sizeBytes: number }): Promise<void>;
  /** Size in bytes of a stored recording; StoredRecordingMissingError when it is not there. */
  size(key: string): Promise<number>;
  /** The bytes [start, end] (inclusive) of a stored recording, or all of it. */
  read(key: string, range?: { start: number; end: number }): Promise<Readable>;
  /** Deletes a stored recording; deleting a missing one is not an error. */
  remove(key: string): Promise<void>;
}

export class StoredRecordingMissingError extends Error {
  override readonly name = 'StoredRecordingMissingError';
  constructor(readonly key: string) {
    super(`stored recording ${key} not found`);
  }
}

export class UnsafeStorageKeyError extends Error {
  override readonly name = 'UnsafeStorageKeyError';
}

const KEY_RE = /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*\.wav$/;

export function assertStorageKey(key: string): string {
  if (!KEY_RE.test(key) || key.length > 300) throw new UnsafeStorageKeyError(`unsafe storage key ${JSON.stringify(key)}`);
  return key;
}

/** The key of a recording: by UTC day, so a folder never grows without bound. */
export function recordingKey(recordingId: string, startedAt: Date): string {
  const d = startedAt.toISOString();
  return assertStorageKey(`${d.slice(0, 4)}/${d.slice(5, 7)}/${d.slice(8, 10)}/${recordingId}.wav`);
}

/** Recordings on the local disk under `root` (CC_RECORDINGS_DIR), never inside a served folder. */
export class LocalRecordingStorage implements RecordingStorage {
  readonly kind = 'local' as const;
  constructor(readonly root: string) {}

  pathOf(key: string): string {
    return path.join(this.root, ...assertStorageKey(key).split('/'));
  }

  async store(captureFile: string, key: string): Promise<void> {
    const target = this.pathOf(key);
    await fs.promises.mkdir(path.dirname(target), { recursive: true });
    try {
      await fs.promises.rename(captureFile, target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
      // Another file system: copy, then remove the capture file.
      await fs.promises.copyFile(captureFile, target);
      await fs.promises.unlink(captureFile);
    }
  }

  async size(key: string): Promise<number> {
    try {
      return (await fs.promises.stat(this.pathOf(key))).size;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new StoredRecordingMissingError(key);
      throw err;
    }
  }

  async read(key: string, range?: { start: number; end: number }): Promise<Readable> {
    await this.size(key);
    return fs.createReadStream(this.pathOf(key), range ? { start: range.start, end: range.end } : {});
  }

  async remove(key: string): Promise<void> {
    await fs.promises.rm(this.pathOf(key), { force: true });
  }
}

export interface S3StorageOptions {
  endpoint?: string | undefined;
  bucket: string;
  region: string;
  accessKeyId?: string | undefined;
  secretAccessKey?: string | undefined;
  forcePathStyle: boolean;
}

/** Recordings in an S3-compatible object store (AWS S3, MinIO, Ceph...), through the AWS SDK. */
export class S3RecordingStorage implements RecordingStorage {
  readonly kind = 's3' as const;
  private readonly client: S3Client;
  private readonly bucket: string;

  constructor(o: S3StorageOptions) {
    this.bucket = o.bucket;
    this.client = new S3Client({
      region: o.region,
      ...(o.endpoint ? { endpoint: o.endpoint } : {}),
      forcePathStyle: o.forcePathStyle,
      ...(o.accessKeyId && o.secretAccessKey ? { credentials: { accessKeyId: o.accessKeyId, secretAccessKey: o.secretAccessKey } } : {}),
      // S3-compatible stores do not all accept the SDK's default streamed (aws-chunked) checksums;
      // the SHA-256 is sent as a plain header instead and verified by the store that supports it.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 3,
    });
  }

  async store(captureFile: string, key: string, meta: { sha256: string; sizeBytes: number }): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: assertStorageKey(key),
        Body: fs.createReadStream(captureFile),
        ContentLength: meta.sizeBytes,
        ContentType: 'audio/wav',
        Metadata: { sha256: meta.sha256 },
      }),
    );
    const stored = await this.size(key);
    if (stored !== meta.sizeBytes) throw new Error(`uploaded ${key} has ${stored} bytes, expected ${meta.sizeBytes}`);
    await fs.promises.unlink(captureFile);
  }

  async size(key: string): Promise<number> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: assertStorageKey(key) }));
      return head.ContentLength ?? 0;
    } catch (err) {
      if (err instanceof NotFound || err instanceof NoSuchKey || (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) {
        throw new StoredRecordingMissingError(key);
      }
      throw err;
    }
  }

  async read(key: string, range?: { start: number; end: number }): Promise<Readable> {
    try {
      const res = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: assertStorageKey(key), ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }),
      );
      const body = res.Body;
      if (body instanceof Readable) return body;
      if (body && 'transformToWebStream' in body) return Readable.fromWeb(body.transformToWebStream() as never);
      throw new Error(`object ${key} has no body`);
    } catch (err) {
      if (err instanceof NoSuchKey || (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) throw new StoredRecordingMissingError(key);
      throw err;
    }
  }

  async remove(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: assertStorageKey(key) }));
  }

  destroy(): void {
    this.client.destroy();
  }
}
