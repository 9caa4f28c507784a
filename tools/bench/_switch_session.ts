/**
 * A short session with the switch from TypeScript, for the root README's transcript (not a bench):
 *
 *   npx tsx --conditions=@beamline/source tools/bench/_switch_session.ts
 *
 * Starts a switch on a real-clock runtime with the shipped conf/ (its dialplan: 1000 = answer +
 * park), subscribes to a few event types, and runs API commands, printing each with its output.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Runtime } from '@beamline/core';
import { startSwitch } from '@beamline/switch';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const rt = new Runtime({ logger: null });
const sw = await startSwitch(rt, { confDir: join(root, 'packages/switch/conf'), logLevel: 0 });

const sub = sw.events.subscribe({
  types: ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_PARK', 'CHANNEL_HANGUP_COMPLETE'],
  handler: (e) => {
    const h = (n: string) => e.getHeader(n) ?? '-';
    console.log(
      `  [event] ${e.type} ${h('Channel-Name')} ${h('Channel-State')} ${h('Answer-State')}${e.type === 'CHANNEL_HANGUP_COMPLETE' ? ` ${h('Hangup-Cause')}` : ''}`,
    );
  },
});

async function api(line: string): Promise<string> {
  console.log(`> ${line}`);
  const out = await sw.api(line);
  console.log(out.replace(/\n$/, ''));
  await sleep(20);
  return out;
}

await api('status');
const reply = await api('originate loopback/1000 &park()');
const uuid = reply.slice(4).trim();
await api('show channels count');
await api(`uuid_getvar ${uuid} other_loopback_leg_uuid`);
await api(`uuid_kill ${uuid}`);
await api('show channels count');
await sleep(1000); // the per-second figures of status move once a second
await api('status');
console.log(`(events counted: ${sw.core.bus.sequence} created, lost ${sub.overflow})`);
await sw.stop();
await rt.stop();
