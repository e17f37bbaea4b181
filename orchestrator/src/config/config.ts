import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const port = z.coerce.number().int().min(1).max(65535);

const iceServer = z.object({
  urls: z.union([z.string(), z.array(z.string())]),
  username: z.string().optional(),
  credential: z.string().optional(),
});

const envSchema = z.object({
  CC_HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  CC_HTTP_PORT: port.default(8080),
  CC_DATA_DIR: z.string().min(1).default(path.join(REPO_ROOT, '.data')),
  CC_DATABASE_URL: z.string().url().optional(),
  CC_EMBEDDED_PG_PORT: port.default(54329),
  CC_ESL_HOST: z.string().min(1).default('127.0.0.1'),
  CC_ESL_PORT: port.default(8021),
  CC_ESL_PASSWORD: z.string().min(4).default('ClueCon'),
  CC_SIP_WS_URLS: z
    .string()
    .default('ws://127.0.0.1:5066')
    .transform((s) => s.split(',').map((u) => u.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^wss?:\/\/.+/, 'must be ws:// or wss:// URLs')).min(1)),
  CC_ICE_SERVERS: z
    .string()
    .default('[]')
    .transform((s, ctx) => {
      try {
        return JSON.parse(s) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON array of RTCIceServer objects' });
        return z.NEVER;
      }
    })
    .pipe(z.array(iceServer)),
  CC_FSXML_USER: z.string().min(1).default('freeswitch'),
  CC_FSXML_PASSWORD: z.string().min(8).default('change-me-fsxml'),
  CC_ADMIN_LOGIN: z.string().regex(/^[A-Za-z0-9_.@-]{2,64}$/).default('admin'),
  CC_ADMIN_PASSWORD: z.string().min(8).optional(),
  CC_FREESWITCH: z.enum(['launch', 'external']).default('launch'),
  FREESWITCH_BIN: z.string().default('/usr/local/freeswitch/bin/freeswitch'),
  CC_SIP_PORT: port.default(5060),
  CC_SIP_TRUNK_PORT: port.default(5080),
  CC_SIP_WS_PORT: port.default(5066),
  CC_RTP_START: port.default(16384),
  CC_RTP_END: port.default(32768),
  CC_COOKIE_SECURE: bool.default(false),
  CC_SESSION_DAYS: z.coerce.number().int().min(1).max(90).default(7),
  CC_TIMEZONE: z
    .string()
    .default('Asia/Shanghai')
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'unknown IANA time zone (e.g. Asia/Shanghai)'),
  /** Outside numbers (overflow to an external number, callbacks) are dialled as prefix + number + suffix. */
  CC_EXTERNAL_DIAL_PREFIX: z.string().regex(/^[a-z_]+\/[A-Za-z0-9_.\/-]*$/, 'a FreeSWITCH endpoint prefix such as sofia/gateway/carrier/').default('sofia/gateway/carrier/'),
  CC_EXTERNAL_DIAL_SUFFIX: z.string().regex(/^[A-Za-z0-9_.@:;=-]*$/, 'e.g. @10.0.0.1:5060 or empty').default(''),
  /** How long an agent whose last browser tab closed stays logged in (a page reload must not log them out). */
  CC_AGENT_OFFLINE_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(5000),
  CC_DEFAULT_LANGUAGE: z.enum(['zh-CN', 'en']).default('zh-CN'),
  CC_PROMPTS_DIR: z.string().min(1).optional(),
  CC_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Voicemail messages: FreeSWITCH records into <dir>/<mailbox>/<call uuid>.wav (a shared volume in containers). Default <CC_DATA_DIR>/freeswitch/recordings/voicemail. */
  CC_VOICEMAIL_DIR: z.string().regex(/^\/[A-Za-z0-9_./-]*$/, 'an absolute path of letters, digits, _ . / -').optional(),
  /** How IVR flows speak English: FreeSWITCH's mod_flite at play time, or espeak-ng files. Mandarin always uses espeak-ng (voice cmn). */
  CC_TTS_ENGLISH: z.enum(['flite', 'espeak']).default('flite'),
  /** Voicemail email notifications (off when unset), e.g. smtp://user:pass@mail.example.com:587. */
  CC_SMTP_URL: z.string().regex(/^smtps?:\/\/.+/, 'an smtp:// or smtps:// URL').optional(),
  CC_MAIL_FROM: z.string().min(3).default('contact-center@localhost'),
  /** Call recordings: FreeSWITCH writes here (same path on both sides; a shared volume in containers). Default <CC_DATA_DIR>/recordings. */
  CC_RECORDINGS_DIR: z.string().regex(/^\/[A-Za-z0-9_./-]*$/, 'an absolute path of letters, digits, _ . / -').optional(),
  CC_RECORDING_STORAGE: z.enum(['local', 's3']).default('local'),
  /** S3-compatible object store (CC_RECORDING_STORAGE=s3): endpoint URL (empty for AWS), bucket, region, keys (empty: the default credential chain). */
  CC_RECORDING_S3_ENDPOINT: z.string().url('a URL such as https://minio.example.com:9000').optional(),
  CC_RECORDING_S3_BUCKET: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name (3-63 lowercase letters, digits, . -)').optional(),
  CC_RECORDING_S3_REGION: z.string().min(1).default('us-east-1'),
  CC_RECORDING_S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  CC_RECORDING_S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  CC_RECORDING_S3_FORCE_PATH_STYLE: bool.default(false),
  /** Signs the short-lived playback URLs; generated and kept in <CC_DATA_DIR>/recording-url-secret when absent. */
  CC_RECORDING_URL_SECRET: z.string().min(32, 'at least 32 characters').optional(),
}).superRefine((c, ctx) => {
  if (c.CC_RECORDING_STORAGE === 's3' && !c.CC_RECORDING_S3_BUCKET) {
    ctx.addIssue({ code: 'custom', path: ['CC_RECORDING_S3_BUCKET'], message: 'required when CC_RECORDING_STORAGE=s3' });
  }
  if (!c.CC_RECORDING_S3_ACCESS_KEY_ID !== !c.CC_RECORDING_S3_SECRET_ACCESS_KEY) {
    ctx.addIssue({ code: 'custom', path: ['CC_RECORDING_S3_SECRET_ACCESS_KEY'], message: 'set both CC_RECORDING_S3_ACCESS_KEY_ID and CC_RECORDING_S3_SECRET_ACCESS_KEY, or neither' });
  }
});

export type Env = z.input<typeof envSchema>;
export type Config = z.output<typeof envSchema>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Validates the environment once at start-up; every mistake gets its own line. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const relevant = Object.fromEntries(
    Object.entries(env).filter(([k, v]) => (k.startsWith('CC_') || k === 'FREESWITCH_BIN') && v !== undefined && v !== ''),
  );
  const parsed = envSchema.safeParse(relevant);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || 'environment'}: ${i.message}`));
  }
  return parsed.data;
}

/** Where voicemail messages are recorded (CC_VOICEMAIL_DIR, else FreeSWITCH's recordings folder when the platform launches it). */
export function voicemailDir(config: Pick<Config, 'CC_VOICEMAIL_DIR' | 'CC_DATA_DIR'>): string {
  return config.CC_VOICEMAIL_DIR ?? path.join(config.CC_DATA_DIR, 'freeswitch', 'recordings', 'voicemail');
}
