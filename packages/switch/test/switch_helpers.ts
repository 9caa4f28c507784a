import { Runtime, TestClock } from '@beamline/core';
import type { SwitchEvent } from '../src/index.ts';
import { staticDialplan } from '../src/dialplan/dialplan.ts';
import { type SwitchOptions, startSwitch } from '../src/switch.ts';
import type { Application } from '../src/applications/types.ts';

export async function setup(options: SwitchOptions = {}) {
  const clock = new TestClock();
  const rt = new Runtime({ clock, logger: null });
  const logs: string[] = [];
  const sw = await startSwitch(rt, {
    identity: { coreUuid: '0b7c2d0e-1111-4222-8333-944455556666', hostname: 'fs1' },
    startEpochMs: 1_725_358_272_000,
    utcOffsetMinutes: () => 0,
    log: (l) => logs.push(`${l.level} ${l.text}`),
    dialplan: staticDialplan({
      default: {
        '1000': [['answer'], ['park']],
        '2000': [
          ['set', 'foo=bar'],
          ['hangup', 'USER_BUSY'],
        ],
      },
    }),
    ...options,
  });
  const sub = sw.events.subscribe({ name: 'test' });
  const settle = async () => {
    for (let i = 0; i < 5; i++) {
      await rt.settle();
      await new Promise((r) => setTimeout(r, 0));
    }
  };
  return { rt, clock, sw, sub, logs, settle };
}

/** The trace columns: name, Channel-State, Channel-State-Number, Channel-Call-State, Answer-State. */
export function row(e: SwitchEvent): string {
  const h = (n: string) => e.getHeader(n) ?? '-';
  return `${e.type} ${h('Channel-State')}/${h('Channel-State-Number')} ${h('Channel-Call-State')} ${h('Answer-State')}`;
}

export const crashApp: Application = {
  name: 'crash',
  run: () => {
    throw new Error('boom');
  },
};
