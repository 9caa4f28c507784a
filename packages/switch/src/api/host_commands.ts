/**
 * mod_commands' commands about the machine the switch runs on, with its replies: `getcputime`,
 * `is_lan_addr`, `interface_ip`, `spawn` / `bg_spawn` (a program started without a shell, its
 * words split as switch_separate_string splits them; whoever may call the API may run them, as
 * with `system`), `time_test` (sleep jitter) and `timer_test` (the soft timer's ticks).
 * The clocks here are the machine's, not the switch's runtime clock: these commands measure it.
 */
import { spawn } from 'node:child_process';
import { networkInterfaces } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { SwitchCore } from '../core/core.ts';
import { atol, separateString } from '../internal/strings.ts';
import type { ApiCommand, ApiEnv } from './registry.ts';

/** getcputime's `reset` marks (FreeSWITCH keeps them in statics: one per process; here one per switch). */
const cpuResets = new WeakMap<SwitchCore, { userMs: number; kernelMs: number }>();

function getcputime(args: string, env: ApiEnv): string {
  const reset = cpuResets.get(env.core) ?? { userMs: 0, kernelMs: 0 };
  const usage = process.cpuUsage();
  const userMs = Math.floor(usage.user / 1000) - reset.userMs;
  const kernelMs = Math.floor(usage.system / 1000) - reset.kernelMs;
  if (args.startsWith('reset')) cpuResets.set(env.core, { userMs: reset.userMs + userMs, kernelMs: reset.kernelMs + kernelMs });
  return `${userMs}, ${kernelMs}`;
}

/** switch_is_lan_addr: private, loopback, link-local and a few reserved IPv4 prefixes, compared as text. */
const LAN_PREFIXES = [
  '10.',
  '192.168.',
  '127.',
  '255.',
  '0.',
  '1.',
  '2.',
  ...Array.from({ length: 16 }, (_, i) => `172.${16 + i}.`),
  '192.0.2.',
  '169.254.',
];

export const isLanAddr = (ip: string): boolean => ip !== '' && LAN_PREFIXES.some((p) => ip.startsWith(p));

const INTERFACE_IP_USAGE = 'USAGE: interface_ip [auto|ipv4|ipv6] <ifname>\n';

/** switch_find_interface_ip: the interface's first address of the family (`auto`: of either). */
function interfaceIp(args: string): string {
  const argv = args === '' ? [] : separateString(args, ' ', 3);
  const [family, ifname] = argv;
  if (family === undefined || ifname === undefined) return INTERFACE_IP_USAGE;
  const want = family.toLowerCase();
  if (want !== 'ipv4' && want !== 'ipv6' && want !== 'auto') return INTERFACE_IP_USAGE;
  const addrs = networkInterfaces()[ifname] ?? [];
  const found = addrs.find((a) => want === 'auto' || a.family === (want === 'ipv4' ? 'IPv4' : 'IPv6'));
  return found?.address ?? '';
}

const SPAWN_USAGE = '-USAGE: <command>\n';

/** switch_spawn (no shell, no captured output); `wait`: until the program ends. */
function spawnCommand(args: string, env: ApiEnv, wait: boolean): string | Promise<string> {
  if (args === '') return SPAWN_USAGE;
  const uuid = env.busyChannel?.uuid;
  env.core.log('NOTICE', `Executing command: ${args}`, uuid);
  const [program, ...rest] = separateString(args, ' ', 64);
  return new Promise((resolve) => {
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(program ?? '', rest, { stdio: 'ignore', detached: !wait });
    } catch {
      env.core.log('WARNING', `Failed to execute posix_spawnp: ${args}`, uuid);
      resolve('+OK\n');
      return;
    }
    child.on('error', () => {
      env.core.log('WARNING', `Failed to execute posix_spawnp: ${args}`, uuid);
      resolve('+OK\n');
    });
    if (!wait) {
      child.on('spawn', () => {
        child.unref();
        resolve('+OK\n');
      });
      return;
    }
    child.on('exit', (code, signal) => {
      // waitpid's status: the exit code in the second byte, or the signal's number
      const status = code !== null ? code << 8 : signal ? 1 : 0;
      if (status !== 0) env.core.log('WARNING', `Exit status (${status}): ${args}`, uuid);
      resolve('+OK\n');
    });
  });
}

const nowUs = (): number => Math.round(performance.now() * 1000);
/** At least `us` (a Node timer may fire up to a millisecond early; usleep never does). */
async function sleepUs(us: number): Promise<void> {
  const until = nowUs() + us;
  for (let left = us; left > 0; left = until - nowUs()) await new Promise((r) => setTimeout(r, Math.ceil(left / 1000)));
}

/** time_test_function: `<µs> [count]` (at most 1 s, 100 sleeps; 10 by default). */
async function timeTest(args: string): Promise<string> {
  if (args === '') return 'parameter missing\n';
  const mss = Math.min(atol(args), 1_000_000);
  const space = args.indexOf(' ');
  let max = 10;
  if (space >= 0) {
    const a = atol(args.slice(space + 1));
    if (a > 0) max = Math.min(a, 100);
  }
  let out = '';
  let total = 0;
  for (let x = 1; x <= max; x++) {
    const then = nowUs();
    await sleepUs(mss);
    const diff = nowUs() - then;
    out += `test ${x} sleep ${mss} ${diff}\n`;
    total += diff;
  }
  return `${out}avg ${Math.trunc(total / max)}\n`;
}

const TIMER_TEST_USAGE = 'parameter missing: <10|20|40|60|120> [<1..200>] [<timer_name>]\n';
const TIMER_INTERVALS = [10, 20, 30, 32, 40, 60, 120];

/** timer_test_function: `<ms> [ticks] [timer]` on the soft timer (1–400 ticks, 50 by default); each tick logged at CONSOLE. */
async function timerTest(args: string, env: ApiEnv): Promise<string> {
  const argv = args === '' ? [''] : separateString(args, ' ', 5);
  const mss = atol(argv[0] ?? '');
  const ticks = atol(argv[1] ?? '');
  const max = ticks > 0 && ticks <= 400 ? ticks : 50;
  const timerName = argv[2] ?? 'soft';
  if (!TIMER_INTERVALS.includes(mss)) return TIMER_TEST_USAGE;
  if (timerName !== 'soft') return 'Timer Error!\n';
  // the soft timer ticks on a fixed schedule from its start, whatever a tick's lateness
  const origin = nowUs();
  let tick = 0;
  const next = async () => {
    tick++;
    await sleepUs(origin + tick * mss * 1000 - nowUs());
  };
  await next();
  const start = nowUs();
  let then = start;
  let total = 0;
  for (let x = 1; x <= max; x++) {
    await next();
    const now = nowUs();
    const diff = now - then;
    total += diff;
    then = now;
    env.core.log('CONSOLE', `Timer Test: ${x} sleep ${mss} ${diff}`);
  }
  await sleepUs(250_000);
  const avgMs = Math.trunc(total / max) / 1000;
  return `Avg: ${avgMs.toFixed(3)}ms Total Time: ${((then - start) / 1000).toFixed(3)}ms\n`;
}

export const HOST_COMMANDS: readonly ApiCommand[] = [
  { name: 'getcputime', syntax: '[reset]', description: 'Gets CPU time in milliseconds (user,kernel)', module: 'mod_commands', run: getcputime },
  { name: 'is_lan_addr', syntax: '<ip>', description: 'See if an ip is a lan addr', module: 'mod_commands', run: (args) => String(isLanAddr(args)) },
  {
    name: 'interface_ip',
    syntax: '[auto|ipv4|ipv6] <ifname>',
    description: 'Return the primary IP of an interface',
    module: 'mod_commands',
    run: interfaceIp,
  },
  {
    name: 'spawn',
    syntax: '<command>',
    description: "Execute a spawn command without capturing it's output",
    module: 'mod_commands',
    run: (args, env) => spawnCommand(args, env, true),
  },
  {
    name: 'bg_spawn',
    syntax: '<command>',
    description: 'Execute a spawn command in the background',
    module: 'mod_commands',
    run: (args, env) => spawnCommand(args, env, false),
  },
  { name: 'time_test', syntax: '<mss> [count]', description: 'Show time jitter', module: 'mod_commands', run: timeTest },
  {
    name: 'timer_test',
    syntax: '<10|20|40|60|120> [<1..200>] [<timer_name>]',
    description: 'Exercise FS timer',
    module: 'mod_commands',
    run: timerTest,
  },
];
