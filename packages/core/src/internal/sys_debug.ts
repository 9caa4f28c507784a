/**
 * sys's debug options for a behaviour loop, as sys.erl keeps them (debug_cmd / handle_debug):
 * the event log (`sys:log`), statistics (`sys:statistics`) and tracing (`sys:trace`), turned on
 * and off by `{debug, Cmd}` system messages. The events are gen_server's: `{in, Msg}`,
 * `{out, Reply, {Pid, Tag}, State}`, `{noreply, State}`, `{continue, C}`.
 */
import { Atom, Tuple, atom, t } from '@beamline/etf';
import { ok } from './basics/atoms.ts';
import { formatTerm } from './basics/errors.ts';
import type { ProcessContext } from './basics/types.ts';

const IN = atom('in');
const OUT = atom('out');
const NOREPLY = atom('noreply');
const GEN_CALL = atom('$gen_call');
const GEN_CAST = atom('$gen_cast');
const UNKNOWN_DEBUG = atom('unknown_debug');
const TRUE = atom('true');
const FALSE = atom('false');
const DEFAULT_LOG_SIZE = 10;

/** `{{Y, M, D}, {H, Mi, S}}` in the node's local time, as erlang:localtime/0. */
function localtime(d = new Date()): Tuple {
  return t(t(d.getFullYear(), d.getMonth() + 1, d.getDate()), t(d.getHours(), d.getMinutes(), d.getSeconds()));
}

/** gen_server's Name in its debug lines and status: the registered name, else the pid. */
export function serverName(ctx: ProcessContext): string {
  return ctx.registeredName ?? ctx.self.format(ctx.self.node);
}

/** A gen_server debug event as gen_server's print_event writes it. */
function printEvent(ctx: ProcessContext, e: Tuple): string {
  const [tag, a, b, c] = e.elements;
  const name = serverName(ctx);
  const show = (x: unknown) => formatTerm(x, ctx.self.node);
  if (tag === IN && a instanceof Tuple && a.elements[0] === GEN_CALL && a.elements.length === 3 && a.elements[1] instanceof Tuple)
    return `*DBG* ${name} got call ${show(a.elements[2])} from ${show(a.elements[1].elements[0])}`;
  if (tag === IN && a instanceof Tuple && a.elements[0] === GEN_CAST && a.elements.length === 2)
    return `*DBG* ${name} got cast ${show(a.elements[1])}`;
  if (tag === IN && e.elements.length === 2) return `*DBG* ${name} got ${show(a)}`;
  if (tag === OUT && e.elements.length === 4 && b instanceof Tuple)
    return `*DBG* ${name} sent ${show(a)} to ${show(b.elements[0])}, new state ${show(c)}`;
  if (tag === NOREPLY && e.elements.length === 2) return `*DBG* ${name} new state ${show(a)}`;
  return `*DBG* ${name} dbg  ${show(e)}`;
}

export class SysDebug {
  /** The last `size` events, oldest first (sys.erl's nlog). */
  #log: { size: number; events: Tuple[] } | undefined;
  #stats: { start: Tuple; in: number; out: number } | undefined;
  #trace = false;

  /** Whether any option is on: the loop makes events only then. */
  get active(): boolean {
    return this.#log !== undefined || this.#stats !== undefined || this.#trace;
  }

  /** One event of the process (sys:handle_debug); tracing prints it on stdout. */
  event(ctx: ProcessContext, e: Tuple): void {
    if (this.#trace) console.log(printEvent(ctx, e));
    const log = this.#log;
    if (log !== undefined) {
      log.events.push(e);
      if (log.events.length > log.size) log.events.shift();
    }
    const stats = this.#stats;
    if (stats !== undefined) {
      if (e.elements[0] === IN) stats.in++;
      else if (e.elements[0] === OUT) stats.out++;
    }
  }

  /** The logged events, oldest first (sys:get_log; get_status's "Logged events"). */
  events(): Tuple[] {
    return this.#log === undefined ? [] : [...this.#log.events];
  }

  /**
   * `{debug, Cmd}`: the reply sys.erl's debug_cmd gives. An option already on stays as it is
   * (`{log, true}` keeps the log and its size). Erlang funs (`install`) and `log_to_file` are
   * `unknown_debug` here: nothing on this node can run the one or should open files for the other.
   */
  command(cmd: unknown, ctx: ProcessContext): unknown {
    if (cmd === atom('no_debug')) {
      this.#log = undefined;
      this.#stats = undefined;
      this.#trace = false;
      return ok;
    }
    if (!(cmd instanceof Tuple) || cmd.elements.length !== 2 || !(cmd.elements[0] instanceof Atom)) return UNKNOWN_DEBUG;
    const [what, flag] = cmd.elements as [Atom, unknown];
    switch (what.name) {
      case 'trace':
        if (flag !== TRUE && flag !== FALSE) return UNKNOWN_DEBUG;
        this.#trace = flag === TRUE;
        return ok;
      case 'log':
        if (flag === TRUE) this.#log ??= { size: DEFAULT_LOG_SIZE, events: [] };
        else if (flag === FALSE) this.#log = undefined;
        else if (flag === atom('get')) return t(ok, this.events() as never);
        else if (flag === atom('print')) for (const e of this.events()) console.log(printEvent(ctx, e));
        else if (isSizedLog(flag)) this.#log ??= { size: flag.elements[1] as number, events: [] };
        else return UNKNOWN_DEBUG;
        return ok;
      case 'statistics':
        if (flag === TRUE) this.#stats ??= { start: localtime(), in: 0, out: 0 };
        else if (flag === FALSE) this.#stats = undefined;
        else if (flag === atom('get')) return t(ok, this.statistics() as never);
        else return UNKNOWN_DEBUG;
        return ok;
      default:
        return UNKNOWN_DEBUG;
    }
  }

  /** sys:statistics(Name, get)'s list; `reductions` is 0 (a JS process counts none). */
  private statistics(): unknown {
    const s = this.#stats;
    if (s === undefined) return atom('no_statistics');
    return [
      t(atom('start_time'), s.start),
      t(atom('current_time'), localtime()),
      t(atom('reductions'), 0),
      t(atom('messages_in'), s.in),
      t(atom('messages_out'), s.out),
    ];
  }
}

/** `{true, N}` with N a whole number ≥ 1. */
function isSizedLog(flag: unknown): flag is Tuple {
  if (!(flag instanceof Tuple) || flag.elements.length !== 2 || flag.elements[0] !== TRUE) return false;
  const n = flag.elements[1];
  return typeof n === 'number' && Number.isInteger(n) && n >= 1;
}
