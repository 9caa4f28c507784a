/** uuid_kill, uuid_answer, uuid_exists, uuid_getvar, uuid_setvar, hupall (mod_commands). */
import { GenServer } from '@beamline/core';
import { Cause, causeName, parseCause } from '../channel/causes.ts';
import { isChannelRead } from '../channel/channel.ts';
import type { ChannelCall } from '../channel/server.ts';
import { atoi, separateString } from '../internal/strings.ts';
import type { ApiCommand, ApiEnv } from './registry.ts';

const NO_CHANNEL = '-ERR No such channel!\n';

/** What reaching a channel by uuid takes: a process to call from and the session table. */
export type ChannelReach = Pick<ApiEnv, 'ctx' | 'core' | 'busyChannel'>;

/**
 * A call to the channel `uuid`; undefined when there is no such channel (or it ended meanwhile).
 * The channel whose expansion runs this command answers reads at once and nothing else.
 */
export async function callChannel<T>(env: ChannelReach, uuid: string, req: ChannelCall): Promise<{ value: T } | undefined> {
  const pid = env.core.sessions.get(uuid);
  const busy = env.busyChannel;
  if (busy && uuid === busy.uuid) return pid && isChannelRead(req) ? { value: busy.read(req) as T } : undefined;
  if (!pid) return undefined;
  try {
    return { value: (await GenServer.call(env.ctx, pid, req)) as T };
  } catch {
    return undefined;
  }
}

/**
 * switch_core_session_hupall(_matching_vars): every channel (whose variables hold all of
 * `matches`) hangs up with `cause`. The channels are chosen first and then all told at once, as
 * the C marks each in turn without waiting for any: a bridged pair both get `cause`, neither the
 * NORMAL_CLEARING of its partner's hangup.
 */
export async function hangupAll(env: ChannelReach, cause: number, matches: readonly (readonly [string, string])[] = []): Promise<void> {
  let uuids = [...env.core.sessions.uuids()];
  if (matches.length) {
    const held = await Promise.all(uuids.map((uuid) => callChannel<[string, string][]>(env, uuid, { op: 'variables' })));
    uuids = uuids.filter((_, i) => {
      const vars = held[i];
      return vars !== undefined && matches.every(([k, v]) => vars.value.some(([n, x]) => n === k && x === v));
    });
  }
  await Promise.all(uuids.map((uuid) => callChannel(env, uuid, { op: 'hangup', cause })));
}

export const UUID_COMMANDS: readonly ApiCommand[] = [
  {
    name: 'uuid_kill',
    run: async (args, env) => {
      if (args === '') return '-USAGE: <uuid> [cause]\n';
      // kill_function: the uuid up to the first space, the cause all that follows (str2cause)
      const sp = args.indexOf(' ');
      const uuid = sp < 0 ? args : args.slice(0, sp);
      const c = parseCause(sp < 0 ? '' : args.slice(sp + 1));
      return (await callChannel(env, uuid, { op: 'hangup', cause: c })) ? '+OK\n' : NO_CHANNEL;
    },
  },
  {
    name: 'uuid_answer',
    run: async (args, env) => {
      // uuid_answer_function looks the whole argument up, and has no usage text
      const r = args === '' ? undefined : await callChannel<boolean>(env, args, { op: 'answer' });
      return r?.value ? '+OK\n' : '-ERROR\n';
    },
  },
  { name: 'uuid_exists', run: (args, env) => String(env.core.sessions.has(args)) },
  {
    name: 'uuid_getvar',
    run: async (args, env) => {
      const [uuid, name] = args === '' ? [] : separateString(args, ' ', 4);
      if (!uuid || name === undefined) return '-USAGE: <uuid> <var>\n';
      if (!env.core.sessions.has(uuid)) return NO_CHANNEL;
      if (name === '') {
        env.core.log('ERR', 'No variable name specified.');
        return '-ERR No variable name specified!\n';
      }
      // `name[N]`: item N of an array variable, else the variable of that whole name
      const open = name.indexOf('[');
      if (open >= 0 && name.indexOf(']', open) > 0) {
        const item = await callChannel<string | undefined>(env, uuid, { op: 'getvar', name: name.slice(0, open), index: atoi(name.slice(open + 1)) });
        if (!item) return NO_CHANNEL;
        if (item.value !== undefined) return item.value;
      }
      const r = await callChannel<string | undefined>(env, uuid, { op: 'getvar', name });
      if (!r) return NO_CHANNEL;
      return r.value ?? '_undef_';
    },
  },
  {
    name: 'uuid_setvar',
    run: async (args, env) => {
      // switch_separate_string on blanks, three parts at most: the value is the rest, quotes and backslashes read
      const argv = args === '' ? [] : separateString(args, ' ', 3);
      const [uuid, name, value] = argv;
      if (argv.length < 2 || !uuid) return '-USAGE: <uuid> <var> [value]\n';
      if (!env.core.sessions.has(uuid)) return NO_CHANNEL;
      if (!name) {
        env.core.log('ERR', 'No variable name specified.');
        return '-ERR No variable specified\n';
      }
      const r = await callChannel(env, uuid, { op: 'setvar', name, value: value || undefined });
      return r ? '+OK\n' : NO_CHANNEL;
    },
  },
  {
    name: 'hupall',
    run: async (args, env) => {
      const [word, ...pairs] = args === '' ? [] : separateString(args, ' ', 11);
      let cause = Cause.MANAGER_REQUEST;
      if (word !== undefined) {
        cause = parseCause(word);
        if (cause === Cause.NONE) cause = Cause.MANAGER_REQUEST;
      }
      const matches: [string, string][] = [];
      for (let i = 0; i + 1 < pairs.length; i += 2) if (pairs[i] && pairs[i + 1]) matches.push([pairs[i] as string, pairs[i + 1] as string]);
      await hangupAll(env, cause, matches);
      const name = causeName(cause);
      if (matches.length === 0) return `+OK hangup all channels with cause ${name}\n`;
      const [k, v] = matches[0] as [string, string];
      return `+OK hangup all channels matching [${k}]=[${v}]${matches.length > 1 ? '...' : ''} with cause: ${name}\n`;
    },
  },
];
