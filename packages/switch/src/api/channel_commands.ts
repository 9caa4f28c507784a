/** uuid_dump, uuid_park, uuid_transfer and eval (mod_commands). */
import type { Exports } from '../channel/exports.ts';
import type { CallerProfile } from '../channel/profile.ts';
import { expandWithApi } from '../dialplan/expand.ts';
import { serializeJson, serializePlain, serializeXml } from '../events/serialize.ts';
import type { SwitchEvent } from '../events/event.ts';
import type { ApiCommand, ApiEnv } from './registry.ts';
import { type ChannelReach, callChannel } from './uuid_commands.ts';
import { separateString } from '../internal/strings.ts';

const NO_CHANNEL = '-ERR No such channel!\n';
const words = (s: string) => (s === '' ? [] : s.split(' ').filter((w) => w !== ''));

/** A CHANNEL_DATA event (standard headers, channel data, variables) of `uuid`, or undefined. */
async function channelDataEvent(env: ApiEnv, uuid: string | undefined, event = env.core.bus.create('CHANNEL_DATA')) {
  if (uuid === undefined || uuid === '') return { event, found: false };
  const r = await callChannel<[string, string][]>(env, uuid, { op: 'data', basic: false });
  for (const [k, v] of r?.value ?? []) event.addHeader(k, v);
  return { event, found: r !== undefined };
}

const SETVAR_MULTI_USAGE = '-USAGE: <uuid> <var>=<value>;<var>=<value>...\n';

/** switch_ivr_uuid_bridge: true when the bridge was set up. */
export async function uuidBridge(env: ChannelReach, a: string, b: string): Promise<boolean> {
  if (!env.core.sessions.has(a) || !env.core.sessions.has(b) || a === b) return false;
  let [orig, other] = [a, b];
  const hung = await callChannel<string | undefined>(env, orig, { op: 'getvar', name: 'hangup_cause' });
  if (!hung || hung.value !== undefined) return false;
  if (!(await callChannel<boolean>(env, orig, { op: 'mediaUp' }))?.value) {
    if ((await callChannel<boolean>(env, other, { op: 'mediaUp' }))?.value) {
      env.core.log('WARNING', 'reversing order of channels so this will work!', other);
      [orig, other] = [other, orig];
    } else {
      env.core.log('CRIT', 'Neither channel is answered, cannot bridge them.', orig);
      return false;
    }
  }
  // switch_ivr_uuid_bridge: each leg gets the other's profile (originator / originatee)
  const origProfile = (await callChannel<CallerProfile>(env, orig, { op: 'profile' }))?.value;
  const otherProfile = (await callChannel<CallerProfile>(env, other, { op: 'profile' }))?.value;
  if (!origProfile || !otherProfile) return false;
  // check_bridge_export: the other leg's bridge_export_vars go to the originator, then the originator's to it
  const fromOther = (await callChannel<Exports>(env, other, { op: 'bridgeExports' }))?.value ?? [];
  const joined = await callChannel<Exports>(env, orig, { op: 'bridgeJoin', other, originator: true, otherProfile, exports: fromOther });
  if (!joined) return false;
  if (!(await callChannel(env, other, { op: 'bridgeJoin', other: orig, originator: false, otherProfile: origProfile, exports: joined.value })))
    return false;
  await callChannel(env, orig, { op: 'bridged' });
  return true;
}

export const CHANNEL_COMMANDS: readonly ApiCommand[] = [
  {
    name: 'uuid_bridge',
    run: async (args, env) => {
      // switch_separate_string: quotes kept together, runs of blanks one
      const argv = separateString(args, ' ', 4);
      const [a, b, fallback] = argv;
      if (!a || !b || argv.length < 2) return '-USAGE: <uuid> <other_uuid>\n';
      if (await uuidBridge(env, a, b)) return `+OK ${b}\n`;
      if (fallback && (await uuidBridge(env, a, fallback))) return `+OK ${fallback}\n`;
      return '-ERR Invalid uuid\n';
    },
  },
  {
    name: 'uuid_pre_answer',
    run: async (args, env) => {
      if (args === '') return '-ERROR\n';
      const r = await callChannel<boolean>(env, args, { op: 'preAnswer' });
      return r?.value ? '+OK\n' : '-ERROR\n';
    },
  },
  {
    // as mod_commands: an unknown uuid or no valid pair also prints the usage line after the error
    name: 'uuid_setvar_multi',
    run: async (args, env) => {
      const sp = args.indexOf(' ');
      if (sp < 0) return SETVAR_MULTI_USAGE;
      const uuid = args.slice(0, sp);
      if (!env.core.sessions.has(uuid)) return `${NO_CHANNEL}${SETVAR_MULTI_USAGE}`;
      let out = '';
      let set = 0;
      for (const item of args
        .slice(sp + 1)
        .split(';')
        .slice(0, 64)) {
        const eq = item.indexOf('=');
        const name = eq < 0 ? item : item.slice(0, eq);
        const value = eq < 0 ? undefined : item.slice(eq + 1) || undefined;
        if (name === '') {
          env.core.log('ERR', 'No variable name specified.');
          out += '-ERR No variable specified\n';
          continue;
        }
        if (!(await callChannel(env, uuid, { op: 'setvar', name, value }))) return `${out}${NO_CHANNEL}${SETVAR_MULTI_USAGE}`;
        set++;
      }
      return set ? `${out}+OK\n` : `${out}${SETVAR_MULTI_USAGE}`;
    },
  },
  {
    name: 'msleep',
    run: async (args, env) => {
      const ms = Number.parseInt(args, 10);
      if (args !== '' && Number.isFinite(ms) && ms > 0) await env.ctx.receive(() => false, Math.min(ms, 2_147_483_647));
      return '+OK';
    },
  },
  {
    name: 'uuid_dump',
    run: async (args, env) => {
      const [uuid, format = 'txt'] = words(args);
      if (!uuid) return '-USAGE: <uuid> [format]\n';
      if (!env.core.sessions.has(uuid)) return NO_CHANNEL;
      const { event, found } = await channelDataEvent(env, uuid);
      if (!found) return NO_CHANNEL;
      const f = format.toLowerCase();
      if (f === 'xml') return serializeXml(event);
      if (f === 'json') return serializeJson(event);
      return serializePlain(event, f !== 'plain');
    },
  },
  {
    name: 'uuid_park',
    run: async (args, env) => {
      // park_function gives its usage for no argument at all; an api call from Erlang always has one, if empty
      return args !== '' && (await callChannel(env, args, { op: 'park' })) ? '+OK\n' : NO_CHANNEL;
    },
  },
  {
    name: 'uuid_transfer',
    run: async (args, env) => {
      const usage = '-USAGE: <uuid> [-bleg|-both] <dest-exten> [<dialplan>] [<context>]\n';
      const argv = separateString(args, ' ', 5);
      if (argv.length < 2) return usage;
      let [uuid, dest, dp, context] = argv as [string, string, string?, string?];
      if (!uuid || !env.core.sessions.has(uuid)) return NO_CHANNEL;
      let flag: string | undefined;
      if (dest.startsWith('-')) {
        flag = dest.slice(1).toLowerCase();
        [dest, dp, context] = [argv[2] ?? '', argv[3], argv[4]];
      }
      // switch_ivr_session_transfer: no extension is `service`
      const where = { destination: dest, dialplan: dp, context };
      if (flag === 'bleg' || flag === 'both') {
        // the partner is the channel's bridge_to; -bleg without one transfers the channel itself
        const other = (await callChannel<string | undefined>(env, uuid, { op: 'getvar', name: 'bridge_to' }))?.value;
        if (other && env.core.sessions.has(other)) {
          if (flag === 'bleg') uuid = other;
          else await callChannel(env, other, { op: 'redirect', ...where, silent: true });
        }
      }
      const r = await callChannel(env, uuid, { op: 'redirect', ...where });
      return r ? '+OK\n' : '-ERR\n';
    },
  },
  {
    name: 'eval',
    run: async (args, env) => {
      if (args === '') return '';
      const { uuid, rest } = uuidPrefix(args);
      return rest ? expandFor(env, uuid, rest) : '';
    },
  },
  {
    // mod_commands' expand_function: `expand [uuid:<uuid> ]<cmd> <args>` runs <cmd> on the expanded args
    name: 'expand',
    syntax: '[uuid:<uuid> ]<cmd> <args>',
    description: 'Execute an api with variable expansion',
    module: 'mod_commands',
    run: async (args, env) => {
      const { uuid, rest } = uuidPrefix(args);
      if (!rest) return '-ERR No input\n';
      const sp = rest.indexOf(' ');
      const command = sp < 0 ? rest : rest.slice(0, sp);
      // against the API event of this very command (stream->param_event), with the channel's data added
      const event = env.core.bus.create('API');
      event.addHeader('API-Command', 'expand');
      event.addHeader('API-Command-Argument', args);
      const expanded = sp < 0 ? '' : await expandFor(env, uuid, rest.slice(sp + 1), event);
      // the command writes to the same stream: INVALID COMMAND! or COMMAND RETURNED ERROR!, then our -ERR
      const r = await env.sw.execute(command, expanded, env.busyChannel);
      return r.found && !r.failed ? r.output : `${r.output}-ERR Cannot execute command\n`;
    },
  },
];

/** `uuid:<uuid> <rest>` → both; without the prefix, all of it is the rest (eval / expand). */
function uuidPrefix(args: string): { uuid: string | undefined; rest: string | undefined } {
  if (args.slice(0, 5).toLowerCase() !== 'uuid:') return { uuid: undefined, rest: args };
  const sp = args.indexOf(' ', 5);
  return sp < 0 ? { uuid: undefined, rest: undefined } : { uuid: args.slice(5, sp), rest: args.slice(sp + 1) };
}

/** `text` expanded against `base` (a CHANNEL_DATA event by default) with the channel data of `uuid` (if any), the globals, and `${api args}`. */
async function expandFor(env: ApiEnv, uuid: string | undefined, text: string, base?: SwitchEvent): Promise<string> {
  const { event } = await channelDataEvent(env, uuid, base);
  return expandWithApi(
    text,
    (name, index) => (index >= 0 ? event.getHeaderItem(name, index) : event.getHeader(name)) ?? env.core.globals.get(name),
    async (command, args) => env.sw.services.api?.(command, args, env.busyChannel),
  );
}
