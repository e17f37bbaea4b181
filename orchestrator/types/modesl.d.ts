// Minimal typings for the parts of modesl (CommonJS, untyped) that the ESL adapter uses.
declare module 'modesl' {
  import { EventEmitter } from 'node:events';
  import type { Socket } from 'node:net';

  export class Event {
    type: string;
    subclass?: string;
    body: string;
    headers: { name: string; value: string }[];
    getHeader(name: string): string | null;
    getBody(): string;
    getType(): string;
  }

  export class Connection extends EventEmitter {
    constructor(host: string, port: number, password: string, ready?: () => void);
    constructor(socket: Socket, ready?: () => void);
    socket: Socket | null;
    authed: boolean;
    parser?: unknown;
    connected(): boolean;
    api(command: string, cb: (res: Event) => void): void;
    bgapi(command: string, args: string, jobid: string, cb: (res: Event) => void): void;
    events(type: 'plain' | 'json' | 'xml', events: string | string[], cb?: (res: Event) => void): void;
    sendRecv(command: string, cb?: (res: Event) => void): void;
    sendRecv(command: string, args: Record<string, string>, cb?: (res: Event) => void): void;
    disconnect(): void;
  }

  const esl: { Connection: typeof Connection; Event: typeof Event; Parser: new (socket: Socket) => EventEmitter };
  export default esl;
}
