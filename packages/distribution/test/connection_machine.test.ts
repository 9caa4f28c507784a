/** The connection lifecycle table: every (phase, event) pair, legal or refused. */
import { describe, expect, it } from 'vitest';
import { IllegalTransition, initialPhase, step, type ConnEvent, type ConnPhase } from '../src/connection_machine.ts';

const PHASES: ConnPhase[] = ['connecting', 'handshaking', 'up', 'down', 'failed'];
const EVENTS: ConnEvent[] = ['tcp_up', 'handshake_ok', 'fail', 'down'];

/** The lifecycle as the protocol defines it; anything not listed must be refused. */
const LEGAL: Record<string, ConnPhase> = {
  'connecting tcp_up': 'handshaking',
  'connecting fail': 'failed',
  'handshaking handshake_ok': 'up',
  'handshaking fail': 'failed',
  'up down': 'down',
};

describe('connection lifecycle', () => {
  it('a dialled connection starts connecting, an accepted one handshaking', () => {
    expect(initialPhase(true)).toBe('connecting');
    expect(initialPhase(false)).toBe('handshaking');
  });

  it('initiator: connecting → handshaking → up → down', () => {
    let p = initialPhase(true);
    for (const e of ['tcp_up', 'handshake_ok', 'down'] as const) p = step(p, e);
    expect(p).toBe('down');
  });

  it('allows exactly the listed transitions and refuses every other event', () => {
    let legal = 0;
    for (const phase of PHASES) {
      for (const event of EVENTS) {
        const want = LEGAL[`${phase} ${event}`];
        if (want !== undefined) {
          legal++;
          expect(step(phase, event), `${phase} on ${event}`).toBe(want);
        } else {
          expect(() => step(phase, event), `${phase} on ${event}`).toThrow(IllegalTransition);
        }
      }
    }
    expect(legal).toBe(Object.keys(LEGAL).length);
  });

  it('down and failed are final; a failure cannot follow up, nor down precede it', () => {
    for (const e of EVENTS) {
      expect(() => step('down', e)).toThrow(IllegalTransition);
      expect(() => step('failed', e)).toThrow(IllegalTransition);
    }
    expect(() => step('up', 'fail')).toThrow(/no transition on 'fail' in phase 'up'/);
    expect(() => step('handshaking', 'down')).toThrow(IllegalTransition);
    expect(() => step('connecting', 'handshake_ok')).toThrow(IllegalTransition);
  });
});
