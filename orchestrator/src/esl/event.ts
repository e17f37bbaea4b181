import type { Event as ModeslEvent } from 'modesl';

/**
 * A FreeSWITCH event, normalised from whatever wire format it arrived in
 * (text/event-plain or text/event-json). Header values are decoded strings.
 */
export interface FsEvent {
  readonly name: string;
  readonly subclass: string | undefined;
  /** Unique-ID of the channel the event is about, when it is about one. */
  readonly uuid: string | undefined;
  /** Event-Date-Timestamp in milliseconds since the epoch (FreeSWITCH sends microseconds). */
  readonly at: number;
  readonly headers: ReadonlyMap<string, string>;
  readonly body: string;
}

export function header(event: FsEvent, name: string): string | undefined {
  return event.headers.get(name);
}

/** Channel variable `name` as carried in the event (`variable_<name>`). */
export function variable(event: FsEvent, name: string): string | undefined {
  return event.headers.get(`variable_${name}`);
}

export class MalformedEventError extends Error {
  override readonly name = 'MalformedEventError';
}

/**
 * Converts a modesl event into an FsEvent. Throws MalformedEventError when the
 * frame carries no Event-Name (which FreeSWITCH never sends on an event frame).
 */
export function fromModesl(raw: ModeslEvent, receivedAt: number = Date.now()): FsEvent {
  const headers = new Map<string, string>();
  for (const h of raw.headers) {
    if (typeof h.name !== 'string') continue;
    headers.set(h.name, typeof h.value === 'string' ? h.value : String(h.value));
  }
  const name = headers.get('Event-Name');
  if (!name) throw new MalformedEventError('event frame without Event-Name');
  const micros = Number(headers.get('Event-Date-Timestamp'));
  return {
    name,
    subclass: headers.get('Event-Subclass'),
    uuid: headers.get('Unique-ID'),
    at: Number.isFinite(micros) && micros > 0 ? Math.floor(micros / 1000) : receivedAt,
    headers,
    body: typeof raw.body === 'string' ? raw.body : '',
  };
}
