import type { Voicemail, VoicemailBox } from '../../../../orchestrator/src/voicemail/voicemail-store.ts';
import type { PromptFile } from '../../../../orchestrator/src/ivr/store/prompt-library.ts';
import { queryString as query, request, send } from '../api';

export type { PromptFile, Voicemail, VoicemailBox };
export type VoicemailStatus = Voicemail['status'];

/** GET /api/ivr/switches (orchestrator/src/api/ivr-runtime-routes.ts). */
export interface IvrSwitch {
  name: string;
  enabled: boolean;
  description: string;
  updatedAt: string;
}

export interface VoicemailQuery {
  mailbox?: string;
  status?: VoicemailStatus;
  limit?: number;
}

/** What the server accepts (max 20 MiB): checked before sending, so a huge file fails at once. */
export const MAX_PROMPT_BYTES = 20 * 1024 * 1024;
/** The server's rules, checked in the form before sending (the server checks again). */
export const SWITCH_NAME = /^[a-z_][a-z0-9_]{0,39}$/;
export const PROMPT_NAME = /^[A-Za-z0-9_-]{1,64}$/;
export const MAILBOX = /^[A-Za-z0-9_-]{1,64}$/;

const enc = encodeURIComponent;

/** A prompt file's content type as the server's upload route accepts it. */
export function promptContentType(file: File): string {
  if (/\.mp3$/i.test(file.name) || file.type === 'audio/mpeg') return 'audio/mpeg';
  if (/\.wav$/i.test(file.name) || file.type === 'audio/wav' || file.type === 'audio/x-wav') return 'audio/wav';
  return 'application/octet-stream';
}

/** A prompt name made from a file name: "Welcome Message.wav" -> "Welcome_Message". */
export function promptNameFromFile(fileName: string): string {
  return fileName
    .replace(/\.[^.]*$/, '')
    .replace(/[^A-Za-z0-9_-]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 64);
}

/** The voicemail and IVR-settings API (orchestrator/src/api/voicemail-routes.ts, ivr-runtime-routes.ts). */
export const selfServiceApi = {
  voicemails: {
    list: (q: VoicemailQuery = {}) => request<Voicemail[]>('GET', `/api/voicemails${query({ mailbox: q.mailbox, status: q.status, limit: q.limit })}`),
    /** The audio (cookie auth; every fetch is audited on the server as voicemail.play). */
    audioUrl: (id: string) => `/api/voicemails/${enc(id)}/audio`,
    setStatus: (id: string, status: VoicemailStatus) =>
      request<{ id: string; status: VoicemailStatus }>('POST', `/api/voicemails/${enc(id)}/status`, { status }),
  },
  boxes: {
    list: () => request<VoicemailBox[]>('GET', '/api/voicemail-boxes'),
    save: (box: VoicemailBox) =>
      request<VoicemailBox>('PUT', `/api/voicemail-boxes/${enc(box.mailbox)}`, {
        description: box.description,
        webhookUrl: box.webhookUrl,
        email: box.email,
      }),
    remove: (mailbox: string) => request<void>('DELETE', `/api/voicemail-boxes/${enc(mailbox)}`),
  },
  switches: {
    list: () => request<IvrSwitch[]>('GET', '/api/ivr/switches'),
    set: (name: string, enabled: boolean, description?: string) =>
      request<{ name: string; enabled: boolean }>(
        'PUT',
        `/api/ivr/switches/${enc(name)}`,
        description === undefined ? { enabled } : { enabled, description },
      ),
  },
  prompts: {
    list: () => request<PromptFile[]>('GET', '/api/ivr/prompts'),
    /** Sends the file itself as the body; the server converts it to 8 kHz mono WAV with sox. */
    upload: (name: string, file: File) =>
      send<PromptFile>(`/api/ivr/prompts${query({ name, filename: file.name.slice(0, 200) })}`, {
        method: 'POST',
        headers: { 'content-type': promptContentType(file) },
        body: file,
      }),
  },
};
