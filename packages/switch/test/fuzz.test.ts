/**
 * Bad input never crashes the switch: seeded random API command lines and sendmsg/sendevent
 * requests against a running switch; after each batch `status` still answers, no channel
 * process crashed (no CRIT log), and no call rejected.
 */
import { describe, expect, it } from 'vitest';
import { setup } from './switch_helpers.ts';

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ATOMS = [
  '',
  ' ',
  '\t',
  '\n',
  '-',
  '-bleg',
  '-both',
  'as',
  'xml',
  'json',
  'count',
  'like',
  'plain',
  '|',
  '||',
  '%',
  '%Y',
  '%',
  '${',
  '${foo}',
  '${${}}',
  '$${x}',
  '${x:-1:-1}',
  '${a[9999999999]}',
  'uuid:',
  'uuid:nope x',
  'null/1',
  'error/user_busy',
  'loopback/3000',
  '&park()',
  '&sleep(5)',
  '&bogus(',
  'undef',
  '0',
  '-1',
  '99999999999999999999',
  'NaN',
  'USER_BUSY',
  '=',
  '==',
  'a=b',
  'a=b=c',
  '^^;a=1;b=2',
  '^^',
  'CHANNEL_DATA',
  'é',
  '😀',
  '\u0000',
  '<',
  '&',
  '"',
  "'",
  '\\',
  '\\\\',
  '[a=b]',
  '{a=b}',
  '<a=b>',
  'x'.repeat(5000),
];

/** Dial strings with several legs, groups and branches, good and bad (originate and bridge). */
const DIALS = [
  'null/1,null/2',
  'null/cause-USER_BUSY|null/3',
  'null/cause-USER_BUSY,null/cause-CALL_REJECTED',
  'null/1:_:null/2',
  'error/user_busy:_:null/4',
  '[leg_timeout=1]null/1,[null_auto_answer_delay=10]null/2',
  '{ignore_early_media=true}[null_pre_answer=true]null/1|null/2',
  '{return_ring_ready=true}loopback/3000',
  '{originate_timeout=1}[null_enable_auto_answer=false]null/1',
  'loopback/1000',
  'loopback/9196,null/5',
  '[a=b,c]null/1',
  '{a=b',
  ',,',
  '|',
  ':_:',
  '[]',
  'bogus/1,null/1',
  'loopback/app=park',
  'loopback/app=bogus:x,null/6',
  'loopback/app=',
];

/**
 * Commands that run host programs or sleep on the machine's clock (random arguments would run shell
 * text or wait for hours), and those that stop the switch whatever their arguments.
 */
const HOST_COMMANDS = new Set(['system', 'bg_system', 'spawn', 'bg_spawn', 'time_test', 'timer_test', 'shutdown', '...']);

const CALL_COMMANDS = ['execute', 'hangup', 'unicast', 'nomedia', 'xferext', 'EXECUTE', '', 'bogus'];

describe('bad input never crashes the switch (seeded fuzz)', () => {
  it.each([
    [0xbeef, false],
    [1, false],
    [20261129, false],
    [7, true],
  ])(
    'seed %i (clock moving and no session limits: %s): random API lines, sendmsg and sendevent requests; status answers after every batch',
    async (seed, moving) => {
      // with the clock moving, timeouts, delays and leg_timeouts fire and the limits do not refuse calls
      const { sw, settle, rt, logs, clock } = await setup(moving ? { sessionsPerSecond: 100_000, maxSessions: 100_000 } : {});
      const rnd = mulberry32(seed);
      const replies = new Map<string, number>();
      const tally = (k: string) => replies.set(k, (replies.get(k) ?? 0) + 1);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
      const uuids: string[] = [];
      const seedCall = async () => {
        const m = /^\+OK (\S+)\n$/.exec(await sw.originate('null/1 &park()'));
        if (m?.[1]) uuids.push(m[1]);
      };
      await seedCall();
      await seedCall();
      await settle();
      const commands = sw.registry.names().filter((n) => n !== 'originate' && !HOST_COMMANDS.has(n));
      const word = () => (rnd() < 0.25 && uuids.length ? pick(uuids) : rnd() < 0.1 ? pick(DIALS) : pick(ATOMS));
      const dialLine = () => {
        const target = pick(['&park()', `&bridge(${pick(DIALS)})`, '1000', '2000', '&bridge()', `&bridge(${pick(ATOMS)})`, pick(ATOMS)]);
        return `originate ${rnd() < 0.8 ? pick(DIALS) : word()} ${target}${rnd() < 0.2 ? ` XML default a b ${pick(['1', '0', 'x'])}` : ''}`;
      };
      const line = () => {
        const cmd = rnd() < 0.9 ? pick(commands) : pick(ATOMS);
        const n = Math.floor(rnd() * 6);
        const args = Array.from({ length: n }, word);
        const sep = rnd() < 0.8 ? ' ' : pick([' \t ', '  ', '|', '']);
        return `${rnd() < 0.1 ? cmd.toUpperCase() : cmd} ${args.join(sep)}`;
      };
      const headers = (): unknown => {
        const r = rnd();
        if (r < 0.05) return pick([null, 42, 'x', [['a']], [[1, 2]], [{}], [['a', 'b', 'c']]]);
        const out: [string, string][] = [];
        if (rnd() < 0.9) out.push([pick(['call-command', 'Call-Command', 'CALL-COMMAND']), pick(CALL_COMMANDS)]);
        const n = Math.floor(rnd() * 6);
        for (let i = 0; i < n; i++) {
          const name = pick([
            'execute-app-name',
            'execute-app-arg',
            'loops',
            'event-lock',
            'event-uuid',
            'event-uuid-name',
            'hangup-cause',
            'content-type',
            'x',
          ]);
          const value =
            name === 'execute-app-name'
              ? pick([...sw.services.applications.keys(), 'bogus', '', 'PARK'])
              : name === 'execute-app-arg'
                ? rnd() < 0.3
                  ? pick(DIALS)
                  : line()
                : word();
          out.push([name, value]);
        }
        return out;
      };
      const errors: unknown[] = [];
      const guard = async (p: Promise<unknown>) => {
        // a command may legitimately wait (for the test clock, which does not move here)
        await Promise.race([p.catch((e: unknown) => errors.push(e)), new Promise((r) => setTimeout(r, 50))]);
      };

      for (let batch = 0; batch < 30; batch++) {
        for (let i = 0; i < 25; i++) {
          const r = rnd();
          if (r < 0.1) await guard(sw.api(dialLine()).then((o) => tally(o.startsWith('-') ? 'dial-' : 'dial+')));
          else if (r < 0.6) await guard(sw.api(line()).then((o) => tally(o.startsWith('-') ? 'api-' : 'api+')));
          else if (r < 0.85)
            await guard(
              sw
                .sendmsg(rnd() < 0.8 && uuids.length ? pick(uuids) : word(), headers(), rnd() < 0.2 ? word() : undefined)
                .then((o) => tally(o === 'ok' ? 'msg-ok' : `msg-${o.error}`)),
            );
          else {
            try {
              sw.sendevent(
                rnd() < 0.5 ? pick(['CUSTOM', 'NOTIFY', 'custom', 'BOGUS', 'PRESENCE_IN', '']) : word(),
                headers(),
                rnd() < 0.5 ? word() : undefined,
              );
            } catch (e) {
              errors.push(e);
            }
          }
        }
        await settle();
        if (moving) {
          await clock.advance(700);
          await settle();
        }
        expect(errors).toEqual([]);
        expect(await sw.api('status')).toMatch(/^UP /);
        // session limits and uuid_bridge refusals are CRIT in FreeSWITCH too; a channel that crashed is not
        const legit = /^CRIT (Throttle Error!|Over Session Limit!|Failure\.$|Neither channel is answered)/;
        expect(logs.filter((l) => l.startsWith('CRIT') && !legit.test(l))).toEqual([]);
        if (batch % 3 === 2) await seedCall();
      }
      // the generator reaches every kind of reply
      for (const k of ['api-', 'api+', 'msg-ok', 'msg-nosession', 'dial-', 'dial+']) expect(replies.get(k) ?? 0).toBeGreaterThan(0);
      await sw.stop();
      await rt.stop();
    },
    60_000,
  );
});
