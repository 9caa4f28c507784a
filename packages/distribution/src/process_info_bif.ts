/**
 * `erlang:process_info/1,2` over rpc, read from the runtime's ProcessInfo, in erl's shapes: the
 * same items in the same order, `undefined` for a dead pid, `badarg` for a pid of another node or an
 * item erl does not know. What JavaScript does not have is answered in the nearest honest form:
 *
 *   current_function, initial_call   {Behaviour, init, 1} for a behaviour process (GenServer class
 *                                     name, supervisor, state_machine), {beamline, async, 0} for an
 *                                     async-function process: JS keeps no call stack between messages
 *   dictionary                       a behaviour process: [{'$initial_call', MFA}, {'$ancestors', As}]
 *                                     as proc_lib writes them (a registered ancestor by name), else [];
 *                                     {dictionary, Key} (OTP 26+) one entry of it, or undefined, as
 *                                     proc_lib:initial_call/1 and get_label/1 read a remote process
 *   label                            undefined (OTP 27: proc_lib's label, which no process here has)
 *   memory, total_heap_size, ...     memoryEstimate (introspection.ts), in bytes or 8-byte words
 *   reductions                       messages received, the nearest count of work done
 *   group_leader                     the runtime's init pid
 *
 * An item erl knows that has no meaning here (messages, backtrace, current_stacktrace, ...) fails
 * with `error({not_supported, Item})` rather than an invented value.
 */
import { Atom, Pid, Tuple, atom, equals, t, type Term } from '@beamline/etf';
import type { ProcessInfo, Runtime } from '@beamline/core';
import { badarg, erlError, type ModuleExports } from './exports.ts';
import { memoryEstimate } from './introspection.ts';

const A_UNDEFINED = atom('undefined');
const WORD = 8;

/** process_info/1's items, in erl's order (registered_name only when registered). */
const DEFAULT_ITEMS = [
  'registered_name',
  'current_function',
  'initial_call',
  'status',
  'message_queue_len',
  'links',
  'dictionary',
  'trap_exit',
  'error_handler',
  'priority',
  'group_leader',
  'total_heap_size',
  'heap_size',
  'stack_size',
  'reductions',
  'garbage_collection',
  'suspending',
] as const;

/** Items answered beyond process_info/1's. */
const MORE_ITEMS = ['memory', 'monitors', 'monitored_by', 'parent', 'label'];
const ANSWERED = new Set<string>([...DEFAULT_ITEMS, ...MORE_ITEMS]);

/** Items erl accepts that this node cannot answer. */
const NOT_SUPPORTED = new Set([
  'async_dist',
  'backtrace',
  'binary',
  'catchlevel',
  'current_location',
  'current_stacktrace',
  'fullsweep_after',
  'garbage_collection_info',
  'last_calls',
  'message_queue_data',
  'messages',
  'min_bin_vheap_size',
  'min_heap_size',
  'sequential_trace_token',
  'trace',
]);

function initialCall(info: ProcessInfo): Tuple {
  return info.behaviour === 'async' ? t(atom('beamline'), atom('async'), 0) : t(atom(info.behaviour), atom('init'), 1);
}

function dictionary(rt: Runtime, info: ProcessInfo): Term[] {
  if (info.behaviour === 'async') return [];
  const ancestors = info.ancestors.map((a) => {
    const name = rt.processInfo(a)?.registeredName;
    return name === undefined ? a : atom(name);
  });
  return [t(atom('$initial_call'), initialCall(info)), t(atom('$ancestors'), ancestors)];
}

/** The value of one of the ANSWERED items. */
function itemValue(rt: Runtime, info: ProcessInfo, item: string): Term {
  switch (item) {
    case 'registered_name':
      return info.registeredName === undefined ? [] : atom(info.registeredName);
    case 'current_function':
    case 'initial_call':
      return initialCall(info);
    case 'status':
      return atom(info.status);
    case 'message_queue_len':
      return info.messageQueueLen;
    case 'links':
      return info.links;
    case 'monitors':
      return info.monitors.map((m) => t(atom('process'), m.target instanceof Pid ? m.target : t(atom(m.target[0]), atom(m.target[1]))));
    case 'monitored_by':
      return info.monitoredBy;
    case 'dictionary':
      return dictionary(rt, info);
    case 'trap_exit':
      return atom(String(info.trapExit));
    case 'error_handler':
      return atom('error_handler');
    case 'priority':
      return atom('normal');
    case 'group_leader':
      return rt.initPid;
    case 'memory':
      return memoryEstimate(info);
    case 'total_heap_size':
    case 'heap_size':
      return Math.ceil(memoryEstimate(info) / WORD);
    case 'stack_size':
      return 0;
    case 'reductions':
      return info.messagesIn;
    case 'garbage_collection':
    case 'suspending':
      return [];
    case 'label':
      return A_UNDEFINED;
    default: // 'parent'
      return info.parent ?? A_UNDEFINED;
  }
}

const A_DICTIONARY = atom('dictionary');

/** `{dictionary, Key}` (OTP 26+): one entry of the dictionary. */
function isDictionaryKey(item: Term): item is Tuple {
  return item instanceof Tuple && item.elements.length === 2 && item.elements[0] === A_DICTIONARY;
}

function checkItem(item: Term): Atom | Tuple {
  if (item instanceof Atom && (ANSWERED.has(item.name) || NOT_SUPPORTED.has(item.name))) return item;
  if (isDictionaryKey(item)) return item;
  throw badarg();
}

/** The value of `item` for `info`. */
function answer(rt: Runtime, info: ProcessInfo, item: Atom | Tuple): Term {
  if (item instanceof Atom) {
    if (NOT_SUPPORTED.has(item.name)) throw erlError(t(atom('not_supported'), item));
    return itemValue(rt, info, item.name);
  }
  const entry = dictionary(rt, info).find((e) => equals((e as Tuple).elements[0] as Term, item.elements[1] as Term));
  return entry === undefined ? A_UNDEFINED : ((entry as Tuple).elements[1] as Term);
}

/** The local process `pid` names, or undefined when it is dead; badarg for anything but a local pid. */
function lookup(rt: Runtime, pid: Term): ProcessInfo | undefined {
  if (!(pid instanceof Pid) || pid.node !== rt.node) throw badarg();
  return rt.processInfo(pid);
}

/** `process_info/1,2` for the processes of `rt`. */
export function processInfoBifs(rt: Runtime): ModuleExports {
  return {
    'process_info/1': (pid: Term) => {
      const info = lookup(rt, pid);
      if (info === undefined) return A_UNDEFINED;
      const items = info.registeredName === undefined ? DEFAULT_ITEMS.slice(1) : DEFAULT_ITEMS;
      return items.map((item) => t(atom(item), itemValue(rt, info, item)));
    },
    'process_info/2': (pid: Term, spec: Term) => {
      // As erl: an unknown item is badarg even for a dead pid; a dead pid is undefined whatever is asked.
      const items = (Array.isArray(spec) ? spec : [spec]).map(checkItem);
      const info = lookup(rt, pid);
      if (info === undefined) return A_UNDEFINED;
      const pairs = items.map((item) => t(item, answer(rt, info, item)));
      if (Array.isArray(spec)) return pairs;
      // process_info(P, registered_name) of an unregistered process is [], not {registered_name, []}
      return items[0] === atom('registered_name') && info.registeredName === undefined ? [] : pairs[0];
    },
  };
}
