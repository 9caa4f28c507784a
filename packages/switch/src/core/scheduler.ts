/**
 * The switch's task scheduler (switch_scheduler.c): a list of tasks, each with an id from one
 * global counter, a description, a group (`none` when not given) and a runtime in whole epoch
 * seconds on the switch clock. A task is added once; it runs when its second has come, then
 * either goes (DEL_SCHEDULE) or, when its runtime moved past the second it started in, waits for
 * the next run (RE_SCHEDULE). The `scheduler` worker process runs the tasks; the list itself is
 * a plain object of the core, so any process can add or delete a task in one synchronous step.
 */
import type { ProcessContext } from '@beamline/core';
import type { EventBus } from '../events/bus.ts';
import type { SwitchEvent } from '../events/event.ts';
import { runDueWorker } from '../internal/due_worker.ts';

/** What the scheduler needs of the switch's core (SwitchCore, which holds the scheduler). */
export interface SchedulerHost {
  /** Microseconds since the epoch on the switch clock. */
  nowUs(): number;
  log(level: 'DEBUG' | 'INFO' | 'WARNING' | 'ERR', text: string): void;
  readonly bus: Pick<EventBus, 'create'>;
  fire(event: SwitchEvent): void;
}

/** A task as its function sees it (switch_scheduler_task_t). */
export interface SchedulerTask {
  readonly id: number;
  readonly desc: string;
  readonly group: string;
  /** Epoch seconds when it was added. */
  readonly created: number;
  /** Epoch seconds of the next run; the function may move it (a task that repeats itself). */
  runtime: number;
  /** Seconds between runs (0: one run). */
  readonly repeat: number;
}

/** A task's work (switch_scheduler_func_t), run in the scheduler's process or in one of its own. */
export type TaskFunction = (task: SchedulerTask, ctx: ProcessContext) => void | Promise<void>;

export interface TaskFlags {
  /** SSHF_OWN_THREAD: runs in a process of its own; the scheduler does not wait for it. */
  readonly ownThread?: boolean;
  /** SSHF_NO_DEL: cannot be deleted. */
  readonly noDelete?: boolean;
}

interface Entry extends SchedulerTask {
  readonly fn: TaskFunction;
  readonly flags: TaskFlags;
  /** The second its current run started in. */
  executed: number;
  /** Running in the scheduler's process / in a process of its own. */
  running: boolean;
  inThread: boolean;
  /** Deleted while running: it goes when the run ends. */
  destroyRequested: boolean;
  /** Done or deleted: the next round removes it (DEL_SCHEDULE). */
  destroyed: boolean;
}

export class Scheduler {
  readonly #core: SchedulerHost;
  readonly #tasks: Entry[] = [];
  #lastId = 0;
  /** Wakes the scheduler process (a message to it); unset while there is none. */
  #wake: (() => void) | undefined;
  #wakeSent = false;
  /** The runtime the scheduler process sleeps until (epoch seconds). */
  #nextDue = Number.NEGATIVE_INFINITY;

  constructor(core: SchedulerHost) {
    this.#core = core;
  }

  /** Whole epoch seconds on the switch clock: the scheduler's time. */
  nowSec(): number {
    return Math.floor(this.#core.nowUs() / 1_000_000);
  }

  /**
   * switch_scheduler_add_task: adds a task to run at `runtime` (epoch seconds); a runtime below
   * now means "every `runtime` seconds, starting that many seconds from now". Returns its id.
   * `announce: false` is for the core's own tasks, listed before anything can listen: no
   * ADD_SCHEDULE and no log line (FreeSWITCH queues them where no subscriber can see them yet).
   */
  add(runtime: number, fn: TaskFunction, desc: string, group = 'none', flags: TaskFlags = {}, announce = true): number {
    const now = this.nowSec();
    let repeat = 0;
    if (runtime < now) {
      repeat = runtime >>> 0;
      runtime += now;
    }
    do this.#lastId = (this.#lastId + 1) >>> 0;
    while (this.#lastId === 0);
    const task: Entry = {
      id: this.#lastId,
      desc,
      group,
      created: now,
      runtime,
      repeat,
      fn,
      flags,
      executed: 0,
      running: false,
      inThread: false,
      destroyRequested: false,
      destroyed: false,
    };
    this.#tasks.push(task);
    if (announce) {
      this.#core.log('DEBUG', `Added task ${task.id} ${desc} (${group}) to run at ${runtime}`);
      this.#fire('ADD_SCHEDULE', task);
    }
    if (runtime < this.#nextDue) this.#poke();
    return task.id;
  }

  /** The tasks not done or deleted, in the order they were added (`show tasks`). */
  tasks(): readonly SchedulerTask[] {
    return this.#tasks.filter((t) => !t.destroyed);
  }

  /** switch_scheduler_del_task_id: 1 when the task was found and marked, else 0. */
  deleteId(id: number): number {
    const t = this.#tasks.find((x) => x.id === id);
    if (!t) return 0;
    return this.#delete(t, `#${t.id} (group ${t.group})`) ? 1 : 0;
  }

  /** switch_scheduler_del_task_group: the number of tasks of `group` (exact case) marked. */
  deleteGroup(group: string): number {
    if (group === '') return 0;
    let n = 0;
    for (const t of this.#tasks) {
      if (t.destroyed || t.group !== group) continue;
      if (this.#delete(t, `#${t.id} (group ${group})`)) n++;
    }
    return n;
  }

  #delete(t: Entry, what: string): boolean {
    if (t.flags.noDelete) {
      this.#core.log('WARNING', `Attempt made to delete undeletable task ${what}`);
      return false;
    }
    if (t.running) {
      this.#core.log('INFO', `Attempt made to delete running task ${what}`);
      t.destroyRequested = true;
    } else t.destroyed = true;
    this.#poke();
    return true;
  }

  /** The scheduler process's wake-up: called when a task comes due sooner, or one is to go. */
  attach(wake: () => void): void {
    this.#wake = wake;
    this.#wakeSent = false;
  }

  #poke(): void {
    if (!this.#wake || this.#wakeSent) return;
    this.#wakeSent = true;
    this.#wake();
  }

  /**
   * One round of the scheduler thread (task_thread_loop): every due task in list order (waiting
   * for each, unless it has a process of its own), then the tasks that are done or deleted go.
   * Resolves to the ms until the next task is due (undefined: none is waiting).
   */
  async runDue(ctx: ProcessContext): Promise<number | undefined> {
    this.#wakeSent = false;
    // by index: a task added while one runs is appended, and run in this round when due
    for (let i = 0; i < this.#tasks.length; i++) {
      const t = this.#tasks[i] as Entry;
      if (t.destroyed || t.inThread) continue;
      const now = this.nowSec();
      if (now < t.runtime) continue;
      const late = now - t.runtime;
      if (late > 1) this.#core.log('WARNING', `Task was executed late by ${late} seconds ${t.id} ${t.desc} (${t.group})`);
      t.executed = now;
      if (t.flags.ownThread) {
        t.inThread = true;
        ctx.spawn(async (c) => {
          await this.#execute(t, c);
          t.inThread = false;
          this.#poke();
        });
      } else {
        t.running = true;
        await this.#execute(t, ctx);
        t.running = false;
      }
    }
    for (let i = 0; i < this.#tasks.length; ) {
      const t = this.#tasks[i] as Entry;
      if (!t.destroyed || t.inThread) {
        i++;
        continue;
      }
      this.#core.log('DEBUG', `Deleting task ${t.id} ${t.desc} (${t.group})`);
      this.#fire('DEL_SCHEDULE', t);
      this.#tasks.splice(i, 1);
    }
    const waiting = this.#tasks.filter((t) => !t.destroyed && !t.inThread);
    this.#nextDue = Math.min(...waiting.map((t) => t.runtime));
    if (this.#nextDue === Number.POSITIVE_INFINITY) return undefined;
    return Math.max(0, this.#nextDue * 1000 - this.#core.nowUs() / 1000);
  }

  /** switch_scheduler_execute: one run, then the next runtime (RE_SCHEDULE) or the end. */
  async #execute(t: Entry, ctx: ProcessContext): Promise<void> {
    try {
      const r = t.fn(t, ctx);
      if (r) await r;
    } catch (err) {
      this.#core.log('ERR', `Task ${t.id} ${t.desc} (${t.group}) failed: ${String(err)}`);
    }
    if (t.repeat) t.runtime = this.nowSec() + t.repeat;
    if (!t.destroyRequested && t.runtime > t.executed) this.#fire('RE_SCHEDULE', t);
    else t.destroyed = true;
  }

  #fire(type: 'ADD_SCHEDULE' | 'RE_SCHEDULE' | 'DEL_SCHEDULE', t: SchedulerTask): void {
    const ev = this.#core.bus.create(type);
    ev.addHeader('Task-ID', String(t.id));
    ev.addHeader('Task-Desc', t.desc);
    ev.addHeader('Task-Group', t.group);
    ev.addHeader('Task-Runtime', String(t.runtime));
    this.#core.fire(ev);
  }
}

/**
 * The scheduler thread (switch_scheduler_task_thread) as the `scheduler` worker: a round, then a
 * wait until the next task is due or something wakes it. Ends on the message 'stop'.
 */
export function coreScheduler(ctx: ProcessContext, scheduler: Scheduler): Promise<void> {
  return runDueWorker(ctx, scheduler);
}
