import { EventEmitter } from 'node:events';
import type { EslClient } from '../esl/client.ts';
import { interpretEvent, type CallSignal } from './signals.ts';

/**
 * Interprets each FreeSWITCH event once (./signals.ts) and hands the call
 * signals to every part that needs them, in the order they subscribed, so no
 * part re-reads the raw event on the Event Socket's hot path.
 */
export class CallSignalFeed extends EventEmitter<{ signal: [CallSignal] }> {
  constructor(esl: EslClient) {
    super();
    esl.on('event', (event) => {
      const signal = interpretEvent(event);
      if (signal) this.emit('signal', signal);
    });
  }
}
