import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { EslClient } from '../esl/client.ts';
import { uuidGetVar } from '../esl/commands.ts';
import type { FsEvent } from '../esl/event.ts';
import type { TrunkView } from '../supervision/protocol.ts';
import {
  applyGatewayChannel, applyGatewayState, applyGatewayStatuses, emptyTrunkBook, gatewayChannelSignal, parseGatewayStateEvent,
  parseGatewayStatusXml, trunkViews, withGatewayChannels, type TrunkBook,
} from './gateway-state.ts';

/** `show channels as json`, reduced to the channels that may belong to a gateway. */
const channelsSchema = z.object({
  row_count: z.number(),
  rows: z.array(z.object({ uuid: z.string(), name: z.string().default('') }).passthrough()).optional(),
});

/**
 * Keeps the gateways' state from FreeSWITCH: `sofia::gateway_state` events as
 * they come, the full `sofia xmlstatus gateway` list on each (re)connection and
 * every `pollMs` (pings that succeed fire no event on every FreeSWITCH), and the
 * live channels per gateway from channel events (rebuilt from the channel list
 * after a reconnection). Emits 'changed' when what the seat shows changed.
 */
export class TrunkMonitor extends EventEmitter<{ changed: [] }> {
  private book: TrunkBook = emptyTrunkBook();
  private timer: NodeJS.Timeout | undefined;
  private lastJson = '[]';

  constructor(
    private readonly esl: EslClient,
    private readonly logger: Logger,
    private readonly pollMs = 30_000,
  ) {
    super();
  }

  start(): void {
    this.esl.on('event', this.onEvent);
    this.esl.on('connected', this.onConnected);
    if (this.esl.isConnected) this.onConnected();
    this.timer = setInterval(() => void this.refresh(), this.pollMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.esl.off('event', this.onEvent);
    this.esl.off('connected', this.onConnected);
  }

  views(): TrunkView[] {
    return trunkViews(this.book);
  }

  /** Reloads the gateway list from FreeSWITCH. */
  async refresh(): Promise<void> {
    if (!this.esl.isConnected) return;
    try {
      const reply = await this.esl.api('sofia xmlstatus gateway');
      this.update(applyGatewayStatuses(this.book, parseGatewayStatusXml(reply.body), Date.now()));
    } catch (err) {
      this.logger.warn({ err }, 'gateway status not read');
    }
  }

  private readonly onConnected = (): void => {
    void this.refresh().then(() => this.resyncChannels());
  };

  private readonly onEvent = (event: FsEvent): void => {
    try {
      const state = parseGatewayStateEvent(event);
      if (state) return this.update(applyGatewayState(this.book, state));
    } catch (err) {
      this.logger.warn({ err }, 'ignored malformed gateway state event');
      return;
    }
    const channel = gatewayChannelSignal(event);
    if (channel) this.update(applyGatewayChannel(this.book, channel));
  };

  /** After a reconnection: which live trunk channels belong to which gateway. */
  private async resyncChannels(): Promise<void> {
    try {
      const parsed = channelsSchema.safeParse(JSON.parse((await this.esl.api('show channels as json')).body));
      if (!parsed.success) throw new Error('unexpected channel list');
      const channels = new Map<string, string>();
      for (const row of parsed.data.rows ?? []) {
        if (!row.name.startsWith('sofia/') || row.name.startsWith('sofia/agents/')) continue;
        for (const name of ['sip_gateway_name', 'sip_gateway']) {
          const value = (await this.esl.api(uuidGetVar(row.uuid, name))).body.trim();
          if (/^[A-Za-z0-9_.-]{1,64}$/.test(value) && value !== '_undef_') {
            channels.set(row.uuid, value);
            break;
          }
        }
      }
      this.update(withGatewayChannels(this.book, channels));
    } catch (err) {
      this.logger.warn({ err }, 'gateway channels not resynchronised');
    }
  }

  private update(next: TrunkBook): void {
    if (next === this.book) return;
    this.book = next;
    const json = JSON.stringify(trunkViews(next));
    if (json === this.lastJson) return;
    this.lastJson = json;
    this.emit('changed');
  }
}
