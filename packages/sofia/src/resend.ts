/**
 * RFC 3261's retransmission over UDP (timers A/E/G): one message resent after T1, 2·T1, … up to
 * T2 apart, until stopped or 64·T1 have passed. A process holds one Resender per thing it resends
 * and hands it its timer messages; a stopped or replaced resend ignores its old timers.
 */
import type { ProcessContext } from '@beamline/core';
import type { SipRequest, SipResponse } from './sip/message.ts';

export const T1 = 500;
export const T2 = 4000;

export interface ResendTimer {
  readonly tag: 'resend';
  readonly what: string;
  readonly gen: number;
}

export function isResendTimer(m: unknown): m is ResendTimer {
  return typeof m === 'object' && m !== null && (m as ResendTimer).tag === 'resend';
}

export class Resender {
  #gen = 0;
  #msg: SipRequest | SipResponse | undefined;
  #interval = T1;
  #elapsed = 0;

  constructor(
    readonly what: string,
    private readonly send: (m: SipRequest | SipResponse) => void,
  ) {}

  get active(): boolean {
    return this.#msg !== undefined;
  }

  get message(): SipRequest | SipResponse | undefined {
    return this.#msg;
  }

  /** Sends `msg` now and keeps resending it. */
  start(msg: SipRequest | SipResponse, ctx: ProcessContext): void {
    this.#msg = msg;
    this.#interval = T1;
    this.#elapsed = 0;
    this.send(msg);
    ctx.sendAfter(T1, ctx.self, { tag: 'resend', what: this.what, gen: ++this.#gen } satisfies ResendTimer);
  }

  stop(): void {
    this.#msg = undefined;
    this.#gen++;
  }

  /** A timer of ours fired: `resent`, `expired` (64·T1 passed; the resend is stopped) or `stale`. */
  tick(t: ResendTimer, ctx: ProcessContext): 'resent' | 'expired' | 'stale' {
    if (t.what !== this.what || t.gen !== this.#gen || !this.#msg) return 'stale';
    this.#elapsed += this.#interval;
    if (this.#elapsed >= 64 * T1) {
      this.stop();
      return 'expired';
    }
    this.send(this.#msg);
    this.#interval = Math.min(this.#interval * 2, T2);
    ctx.sendAfter(this.#interval, ctx.self, { tag: 'resend', what: this.what, gen: this.#gen } satisfies ResendTimer);
    return 'resent';
  }
}
