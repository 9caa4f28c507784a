/**
 * mod_fifo's CUSTOM `fifo::info` events: the channel's data (switch_channel_event_set_data), then
 * FIFO-Name, FIFO-Action and the action's own headers. Also the date the `fifo_timestamp`
 * variables take (local `%Y-%m-%d %T`).
 */
import type { AppChannel } from '../applications/types.ts';
import type { SwitchCore } from '../core/core.ts';
import type { SwitchEvent } from '../events/event.ts';
import { formatLocalDate } from '../internal/time.ts';

export const FIFO_EVENT = 'fifo::info';

type Headers = readonly (readonly [string, string])[];

/** A `fifo::info` event with the data of `ch` (a channel's own, or one reached in its process). */
export function fireFifo(ch: Pick<AppChannel, 'core' | 'addChannelData'>, name: string, action: string, extra: Headers = []): void {
  const event = ch.core.bus.create('CUSTOM', FIFO_EVENT);
  ch.addChannelData(event);
  addFifoHeaders(event, name, action, extra);
  ch.core.fire(event);
}

/**
 * The channel's data headers as of now, kept for an event the channel may be gone before (the C
 * holds the session while it fires it).
 */
export function channelDataOf(ch: Pick<AppChannel, 'core' | 'addChannelData'>): [string, string][] {
  const event = ch.core.bus.create('CUSTOM', FIFO_EVENT);
  const base = event.headers.length;
  ch.addChannelData(event);
  return event.headers.slice(base).map((h) => [h.name, h.value]);
}

/** A `fifo::info` event with channel data kept earlier (channelDataOf). */
export function fireFifoWith(core: SwitchCore, data: Headers, name: string, action: string, extra: Headers = []): void {
  const event = core.bus.create('CUSTOM', FIFO_EVENT);
  for (const [n, v] of data) event.addHeader(n, v);
  addFifoHeaders(event, name, action, extra);
  core.fire(event);
}

function addFifoHeaders(event: SwitchEvent, name: string, action: string, extra: Headers): void {
  event.addHeader('FIFO-Name', name);
  event.addHeader('FIFO-Action', action);
  for (const [n, v] of extra) event.addHeader(n, v);
}

/** `%Y-%m-%d %T` now, in the switch's zone. */
export function fifoDate(core: SwitchCore): string {
  const us = core.nowUs();
  return formatLocalDate(us, core.utcOffsetMinutes(Math.floor(us / 1000)));
}

/** Whole seconds since the epoch (switch_epoch_time_now). */
export const epochNow = (core: SwitchCore): number => Math.floor(core.nowUs() / 1_000_000);
