/**
 * The `switchd` module the node exports for rpc (beamctl uses it; erl can too):
 *
 *   rpc:call(N, switchd, api, [<<"status">>])        -> <<"UP 0 years, ...">>  (as fs_cli shows it);
 *                                                            the line is a binary or a string (chardata:
 *                                                            nested lists of characters and binaries);
 *                                                            anything else raises badarg, as a BIF does
 *   rpc:call(N, switchd, commands, [])               -> [<<"bgapi">>, ...]      (API command names)
 *   rpc:call(N, switchd, log_follow, [Pid, Level])   -> ok   Pid gets {switchd_log, Level, Line} for
 *                                                            each log line at Level (0..7) or more urgent,
 *                                                            until it dies or calls log_unfollow
 *   rpc:call(N, switchd, log_unfollow, [Pid])        -> ok
 */
import { DOWN, pidKey, refEquals, type Runtime } from '@beamline/core';
import { erlError, type ModuleExports } from '@beamline/distribution';
import { Binary, ImproperList, Pid, Ref, Tuple, atom, t, text, type Term } from '@beamline/etf';
import { logPasses, logStr2Level, LOG_INVALID } from '@beamline/switch';
import type { ConsoleLog } from './log.ts';

interface Live {
  sw: { api(line: string): Promise<string>; registry: { names(): string[] } } | undefined;
}

const A_SWITCHD_LOG = atom('switchd_log');
const A_BADARG = atom('badarg');
const utf8 = new TextDecoder();

/**
 * unicode:characters_to_binary's input (chardata), as text: a binary (UTF-8), or a list (nested)
 * of characters and binaries whose tail may be a binary; undefined for anything else (an atom, a
 * map, a number that is no character, another tail).
 */
function chardata(x: Term): string | undefined {
  if (x instanceof Binary || x instanceof Uint8Array) return utf8.decode(x instanceof Binary ? x.bytes : x);
  if (x instanceof ImproperList) {
    const head = chardata(x.elements);
    const tail = x.tail instanceof Binary || x.tail instanceof Uint8Array ? chardata(x.tail) : undefined;
    return head === undefined || tail === undefined ? undefined : head + tail;
  }
  if (!Array.isArray(x)) return undefined;
  let out = '';
  for (const e of x) {
    if (typeof e === 'number') {
      if (!Number.isInteger(e) || e < 0 || e > 0x10ffff || (e >= 0xd800 && e <= 0xdfff)) return undefined;
      out += String.fromCodePoint(e);
    } else {
      const part = chardata(e);
      if (part === undefined) return undefined;
      out += part;
    }
  }
  return out;
}

function levelOf(x: Term): number {
  const n = typeof x === 'number' ? x : logStr2Level(text(x) ?? '');
  if (n === LOG_INVALID || n < 0 || n > 7) throw erlError(t(atom('badarg'), x));
  return n;
}

export function switchdModule(live: Live, log: ConsoleLog, rt: Runtime): ModuleExports {
  const followers = new Map<string, Pid>();
  const sw = () => {
    if (!live.sw) throw erlError(atom('switch_not_running'));
    return live.sw;
  };
  const unfollow = (target: Pid) => {
    const f = followers.get(pidKey(target));
    if (f) rt.send(f, 'stop');
  };
  return {
    'api/1': async (line: Term) => {
      const l = chardata(line);
      if (l === undefined) throw erlError(A_BADARG);
      return sw().api(l);
    },
    'commands/0': () => sw().registry.names().sort(),
    'log_follow/2': (target: Term, level: Term) => {
      if (!(target instanceof Pid)) throw erlError(t(atom('badarg'), target));
      const limit = levelOf(level);
      unfollow(target);
      // one process per follower: it monitors the follower and ends the subscription when it goes
      const follower = rt.spawn(async (ctx) => {
        const ref = ctx.monitor(target);
        const off = log.follow((e) => {
          if (logPasses(e.level, limit)) ctx.send(target, t(A_SWITCHD_LOG, e.level, e.line));
        });
        try {
          for (;;) {
            const m = await ctx.receive();
            if (m === 'stop') return;
            if (m instanceof Tuple && m.elements[0] === DOWN && m.elements[1] instanceof Ref && refEquals(m.elements[1], ref)) return;
          }
        } finally {
          off();
          if (followers.get(pidKey(target)) === ctx.self) followers.delete(pidKey(target));
        }
      });
      followers.set(pidKey(target), follower);
      return atom('ok');
    },
    'log_unfollow/1': (target: Term) => {
      if (target instanceof Pid) unfollow(target);
      return atom('ok');
    },
  };
}
