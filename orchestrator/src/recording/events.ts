import { header, variable, type FsEvent } from '../esl/event.ts';
import { UUID_RE } from '../esl/commands.ts';

/** What the recorder learns from FreeSWITCH's RECORD_START / RECORD_STOP events. */
export interface RecordSignal {
  kind: 'record_start' | 'record_stop';
  /** The recorded channel. */
  uuid: string;
  /** Record-File-Path: the file FreeSWITCH writes. */
  path: string;
  at: number;
  /** RECORD_STOP: variable_record_ms, when FreeSWITCH reports it. */
  recordMs: number | null;
}

const PATH_RE = /^\/[A-Za-z0-9_./-]{1,400}\.wav$/;

/** Reads a RECORD_START/RECORD_STOP event; null for any other event or a malformed one. */
export function interpretRecordEvent(event: FsEvent): RecordSignal | null {
  if (event.name !== 'RECORD_START' && event.name !== 'RECORD_STOP') return null;
  const uuid = event.uuid;
  const path = header(event, 'Record-File-Path') ?? header(event, 'Media-Bug-Target');
  if (!uuid || !UUID_RE.test(uuid) || !path || !PATH_RE.test(path) || path.includes('..')) return null;
  const ms = Number(variable(event, 'record_ms'));
  return {
    kind: event.name === 'RECORD_START' ? 'record_start' : 'record_stop',
    uuid,
    path,
    at: event.at,
    recordMs: event.name === 'RECORD_STOP' && Number.isFinite(ms) && ms >= 0 ? ms : null,
  };
}
