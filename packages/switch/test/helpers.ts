import type { EventStamp } from '../src/index.ts';

/** A fixed stamp: 2024-09-03 10:11:12.123456 UTC, the switch two hours east of UTC. */
export const STAMP: EventStamp = {
  identity: { coreUuid: 'f3a1c2d4-5b6e-4f70-8a9b-0c1d2e3f4a5b', hostname: 'fs1.example.com', switchname: 'fs1', ipv4: '192.168.1.10', ipv6: '::1' },
  timeUs: 1725358272123456,
  utcOffsetMinutes: 120,
  sequence: 4711,
  calling: { file: '/usr/src/freeswitch/src/switch_channel.c', func: 'switch_channel_perform_set_running_state', line: 2379 },
};
