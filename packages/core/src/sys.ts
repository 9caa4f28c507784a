/**
 * sys: one system-message protocol every behaviour answers (OTP's sys.erl). A request is
 * `{system, {FromPid, Tag}, Req}`, the reply `{Tag, Reply}` (the same shape as a call), so the
 * CLI, tests and remote nodes all use the same path.
 *
 *   get_state              -> State
 *   {replace_state, Fun}   -> NewState            (Fun is a JS function: local callers only)
 *   get_status             -> {status, Pid, {module, Behaviour}, [PDict, running|suspended, Parent, [], State]}
 *   suspend / resume       -> ok                  (a suspended process only answers system messages)
 *   statistics             -> [{messages_in, N}, {messages_out, N}, {message_queue_len, N}]
 *   {terminate, Reason}    -> ok, then the process exits with Reason (its terminate runs)
 *
 * Callback (behaviour) processes answer in the scheduler, before their behaviour sees anything.
 * Async-function processes have no generic loop and do not answer.
 */
import { Tuple, atom, t, type Pid } from '@beamline/etf';
import { SYSTEM, error, ok } from './atoms.ts';
import { ExitError } from './errors.ts';
import { call, reply as genReply, type Caller, type Timeout } from './gen.ts';
import { SUSPENDED, type Proc } from './process.ts';
import type { Dest, ProcessBehaviour, ProcessContext } from './types.ts';

const GET_STATE = atom('get_state');
const REPLACE_STATE = atom('replace_state');
const GET_STATUS = atom('get_status');
const SUSPEND = atom('suspend');
const RESUME = atom('resume');
const STATISTICS = atom('statistics');
const TERMINATE = atom('terminate');
const NOT_SUPPORTED = atom('not_supported');

/** @internal called by the scheduler for `{system, From, Req}`. */
export function handleSystemMessage(p: Proc, from: unknown, req: unknown): void {
  const code = p.code as ProcessBehaviour;
  let reply: unknown;
  let exitWith: { reason: unknown } | undefined;
  try {
    if (req === GET_STATE) {
      reply = code.systemGetState !== undefined ? code.systemGetState() : t(error, NOT_SUPPORTED);
    } else if (req === GET_STATUS) {
      const state = code.systemGetState !== undefined ? code.systemGetState() : undefined;
      reply = t(
        atom('status'),
        p.self,
        t(atom('module'), atom(p.behaviourName)),
        [[], p.flags & SUSPENDED ? atom('suspended') : atom('running'), p.parent ?? p.rt.initPid, [], state as never] as never,
      );
    } else if (req === SUSPEND) {
      p.flags |= SUSPENDED;
      reply = ok;
    } else if (req === RESUME) {
      p.resume();
      reply = ok;
    } else if (req === STATISTICS) {
      reply = [
        t(atom('messages_in'), p.nIn),
        t(atom('messages_out'), p.nOut),
        t(atom('message_queue_len'), p.mb === null ? 0 : p.mb.size),
      ];
    } else if (req instanceof Tuple && req.elements.length === 2 && req.elements[0] === REPLACE_STATE) {
      const fn = req.elements[1] as unknown;
      reply =
        code.systemReplaceState !== undefined && typeof fn === 'function'
          ? code.systemReplaceState(fn as (s: unknown) => unknown)
          : t(error, NOT_SUPPORTED);
    } else if (req instanceof Tuple && req.elements.length === 2 && req.elements[0] === TERMINATE) {
      reply = ok;
      exitWith = { reason: req.elements[1] };
    } else {
      reply = t(error, t(atom('unknown_system_msg'), req as never));
    }
  } catch (e) {
    reply = t(error, String(e) as never);
  }
  if (from instanceof Tuple && from.elements.length === 2) {
    genReply(p.rt, p, from.elements[0] as Pid, from.elements[1], reply);
  }
  if (exitWith !== undefined) p.crash(new ExitError(exitWith.reason));
}

type Where = ProcessContext | Caller;

async function sysCall(where: Where, dest: Dest, req: unknown, timeout: Timeout, fn: string): Promise<unknown> {
  const reply = await call(where, dest, SYSTEM, req, timeout, 'sys', fn);
  if (reply instanceof Tuple && reply.elements[0] === error && reply.elements.length === 2) {
    throw new ExitError(reply, `sys.${fn}: ${String(reply.elements[1])}`);
  }
  return reply;
}

export interface SysStatus {
  pid: Pid;
  behaviour: string;
  status: 'running' | 'suspended';
  parent: Pid;
  state: unknown;
}

export interface SysStatistics {
  messagesIn: number;
  messagesOut: number;
  messageQueueLen: number;
}

/** The sys API (each function works from a process context or from the runtime). */
export const sys = {
  getState<S = unknown>(where: Where, dest: Dest, timeout: Timeout = 5000): Promise<S> {
    return sysCall(where, dest, GET_STATE, timeout, 'get_state') as Promise<S>;
  },
  replaceState<S = unknown>(where: Where, dest: Dest, fn: (state: S) => S, timeout: Timeout = 5000): Promise<S> {
    return sysCall(where, dest, t(REPLACE_STATE, fn as never), timeout, 'replace_state') as Promise<S>;
  },
  async getStatus(where: Where, dest: Dest, timeout: Timeout = 5000): Promise<SysStatus> {
    const r = (await sysCall(where, dest, GET_STATUS, timeout, 'get_status')) as Tuple;
    const misc = r.elements[3] as unknown[];
    return {
      pid: r.elements[1] as Pid,
      behaviour: ((r.elements[2] as Tuple).elements[1] as { name: string }).name,
      status: (misc[1] as { name: string }).name as 'running' | 'suspended',
      parent: misc[2] as Pid,
      state: misc[4],
    };
  },
  async suspend(where: Where, dest: Dest, timeout: Timeout = 5000): Promise<void> {
    await sysCall(where, dest, SUSPEND, timeout, 'suspend');
  },
  async resume(where: Where, dest: Dest, timeout: Timeout = 5000): Promise<void> {
    await sysCall(where, dest, RESUME, timeout, 'resume');
  },
  async statistics(where: Where, dest: Dest, timeout: Timeout = 5000): Promise<SysStatistics> {
    const list = (await sysCall(where, dest, STATISTICS, timeout, 'statistics')) as Tuple[];
    const get = (k: string): number => (list.find((e) => (e.elements[0] as { name: string }).name === k)?.elements[1] as number) ?? 0;
    return { messagesIn: get('messages_in'), messagesOut: get('messages_out'), messageQueueLen: get('message_queue_len') };
  },
  /** proc_lib:stop: the process runs its terminate and exits with `reason`. */
  async terminate(where: Where, dest: Dest, reason: unknown = atom('normal'), timeout: Timeout = 5000): Promise<void> {
    await sysCall(where, dest, t(TERMINATE, reason as never), timeout, 'terminate');
  },
};
