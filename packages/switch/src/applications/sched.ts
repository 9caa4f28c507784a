/**
 * mod_dptools' sched_hangup, sched_transfer, sched_broadcast and sched_cancel: tasks on the
 * switch's scheduler for the channel running the application (group = its uuid). sched_transfer
 * and sched_broadcast keep the new task's id in `last_sched_id`; an empty argument does nothing.
 */
import { schedBroadcastLegs } from '../api/sched_commands.ts';
import { scheduleBroadcast, scheduleHangup, scheduleTransfer, schedTime } from '../api/scheduled_calls.ts';
import { Cause, parseCause } from '../channel/causes.ts';
import { atoi, atol, caseEqual, isDigitString, separateString } from '../internal/strings.ts';
import { sync } from './dptools.ts';
import type { Application } from './types.ts';

export const SCHED_APPLICATIONS: readonly Application[] = [
  {
    // `[+]<time> [<cause>] [bleg]`; as the API command, no seconds after the first character hang up at once
    name: 'sched_hangup',
    run: sync(async (ch, data) => {
      if (data === '') return;
      const [time = '', causeWord, legWord] = separateString(data, ' ', 5);
      const sec = atol(time.slice(1));
      const when = time.startsWith('+') ? ch.core.scheduler.nowSec() + sec : atol(time);
      const cause = causeWord === undefined ? Cause.ALLOTTED_TIMEOUT : parseCause(causeWord);
      const bleg = legWord !== undefined && caseEqual(legWord, 'bleg');
      if (sec === 0) await ch.send({ type: 'HANGUP', cause });
      else scheduleHangup(ch.core, when, ch.uuid, cause, bleg);
    }),
  },
  {
    // `[+]<time> <extension> [<dialplan>] [<context>]`
    name: 'sched_transfer',
    run: sync((ch, data) => {
      if (data === '') return;
      const argv = separateString(data, ' ', 4);
      const [time, extension, dialplan, context] = argv;
      if (time === undefined || extension === undefined) {
        ch.core.log('ERR', 'Invalid Args', ch.uuid);
        return;
      }
      const id = scheduleTransfer(ch.core, schedTime(time, ch.core.scheduler.nowSec()), ch.uuid, extension, dialplan, context);
      ch.setVariable('last_sched_id', String(id));
    }),
  },
  {
    // `[+]<time>|@<epoch> <path> [aleg|bleg|both]`
    name: 'sched_broadcast',
    run: sync((ch, data) => {
      if (data === '') return;
      const [time, path, legsWord] = separateString(data, ' ', 6);
      if (time === undefined || path === undefined) {
        ch.core.log('ERR', 'Invalid Args', ch.uuid);
        return;
      }
      const when = time.startsWith('@') ? atol(time.slice(1)) : schedTime(time, ch.core.scheduler.nowSec());
      const id = scheduleBroadcast(ch.core, when, ch.uuid, path, schedBroadcastLegs(legsWord, false));
      ch.setVariable('last_sched_id', String(id));
    }),
  },
  {
    // `[<task id>|<group>]`, none = this channel's tasks
    name: 'sched_cancel',
    run: sync((ch, data) => {
      const group = data === '' ? ch.uuid : data;
      if (!isDigitString(group)) ch.core.scheduler.deleteGroup(group);
      else if (atoi(group) >>> 0 > 0) ch.core.scheduler.deleteId(atoi(group) >>> 0);
    }),
  },
];
