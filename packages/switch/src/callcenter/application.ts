/**
 * mod_callcenter's `callcenter <queue>` application (callcenter_function): the caller is answered,
 * joins the queue as a member (a new member uuid, or its abandoned one back with
 * `abandoned-resume-allowed`), with `cc_side`, `cc_member_uuid`, `cc_queue`,
 * `cc_queue_joined_epoch`; `member-queue-start` (or `-resume`) and `members-count` tell it. It hears
 * the queue's `moh-sound` (or `cc_moh_override`) until the dispatch bridges it to an agent, it
 * presses one of `cc_exit_keys`, it waits longer than `max-wait-time` (or
 * `max-wait-time-with-no-agent`), or it hangs up. Left without an agent, it is Abandoned:
 * `member-queue-end` with CC-Cause Cancel and its reason, `cc_cause=cancel`, `cc_cancel_reason`.
 */
import { type MediaEnd, playFile } from '../applications/media.ts';
import type { AppChannel, Application, Interrupter } from '../applications/types.ts';
import { Cause } from '../channel/causes.ts';
import { separateString, switchTrue } from '../internal/strings.ts';
import { hangupDials } from './config.ts';
import { CALLCENTER_EVENT, fireCc, type Headers } from './events.ts';
import { type Member, type MemberSession, ccTables, ensureDispatch, epochNow, getQueue } from './tables.ts';

/** How often the member thread looks at the wait limits (cc_member_thread_run's 500 ms). */
const MEMBER_CHECK_MS = 500;

function fireWithChannel(ch: AppChannel, headers: Headers): void {
  const event = ch.core.bus.create('CUSTOM', CALLCENTER_EVENT);
  ch.addChannelData(event);
  for (const [n, v] of headers) event.addHeader(n, v);
  ch.core.fire(event);
}

/** cc_queue_count: the members Waiting or Trying in the queue, told by a `members-count` event. */
export function queueCount(ch: Pick<AppChannel, 'core'>, queue: string): number {
  const n = ccTables(ch.core).members.filter((m) => m.queue === queue && (m.state === 'Waiting' || m.state === 'Trying')).length;
  fireCc(ch.core, [
    ['CC-Queue', queue],
    ['CC-Action', 'members-count'],
    ['CC-Count', String(n)],
    ['CC-Selection', 'Single-Queue'],
  ]);
  return n;
}

export const CALLCENTER_APP: Application = {
  name: 'callcenter',
  syntax: 'queue_name',
  description: 'CallCenter',
  module: 'mod_callcenter',
  run: async (ch, data, done): Promise<Interrupter | undefined> => {
    const core = ch.core;
    const t = ccTables(core);
    const queueName = separateString(data, ' ', 6)[0];
    const queue = queueName ? await getQueue(core, queueName) : undefined;
    if (!queueName || !queue) {
      await done();
      return undefined;
    }
    await ch.send({ type: 'ANSWER' });
    const now = epochNow(core);
    const startEpoch = ch.variable('answer_epoch') ?? String(now);
    const cidName = ch.variable('caller_id_name') ?? '';
    const cidNumber = ch.variable('caller_id_number') ?? '';
    const joined = now;

    let member: Member | undefined;
    if (queue.abandonedResumeAllowed) {
      member = t.members
        .filter((m) => m.queue === queueName && m.cidNumber === cidNumber && m.state === 'Abandoned')
        .sort((a, b) => b.abandonedEpoch - a.abandonedEpoch)[0];
      if (member && member.abandonedEpoch === 0) member = undefined;
    }
    const resumed = member !== undefined;
    const memberUuid = member?.uuid ?? crypto.randomUUID();
    ch.setVariable('cc_side', 'member');
    ch.setVariable('cc_member_uuid', memberUuid);
    ch.setVariable('cc_agent_found', undefined);
    ch.setVariable('cc_agent_bridged', undefined);
    let baseScore = Number.parseInt(ch.variable('cc_base_score') ?? '', 10) || 0;
    if (queue.timeBaseScore.toLowerCase() === 'system') baseScore += now - (Number.parseInt(startEpoch, 10) || now);
    ch.setVariable('cc_queue_joined_epoch', String(now));
    ch.setVariable('cc_queue', queueName);
    if (member) {
      member.sessionUuid = ch.uuid;
      member.state = 'Waiting';
      member.rejoinedEpoch = now;
    }
    fireWithChannel(ch, [
      ['CC-Queue', queueName],
      ['CC-Action', `member-queue-${resumed ? 'resume' : 'start'}`],
      ['CC-Member-UUID', memberUuid],
      ['CC-Member-Session-UUID', ch.uuid],
      ['CC-Member-CID-Name', cidName],
      ['CC-Member-CID-Number', cidNumber],
    ]);
    if (!member) {
      const strategy = queue.strategy.toLowerCase();
      member = {
        queue: queueName,
        instanceId: 'single_box',
        uuid: memberUuid,
        sessionUuid: ch.uuid,
        cidNumber,
        cidName,
        systemEpoch: startEpoch,
        joinedEpoch: now,
        rejoinedEpoch: 0,
        bridgeEpoch: 0,
        abandonedEpoch: 0,
        baseScore,
        skillScore: 0,
        servingAgent: strategy === 'ring-all' || strategy === 'ring-progressively' ? strategy : '',
        servingSystem: '',
        state: 'Waiting',
      };
      t.members.push(member);
    }
    const row = member;
    queueCount(ch, queueName);

    type Phase = 'waiting' | 'leaving' | 'over';
    let phase: Phase = 'waiting';
    let playing: Interrupter | undefined;
    let lastEnd: MediaEnd = 'played';
    let mohValid = true;
    let stopTimer = () => {};
    let stopDigits = () => {};

    const session: MemberSession = {
      agentFound: false,
      connecting: false,
      cancelReason: 'NONE',
      breakWait: () => {
        void endWait();
      },
      lastTierPosition: 0,
      lastTierLevel: 0,
    };
    t.sessions.set(memberUuid, session);

    const exitKeys = () => ch.variable('cc_exit_keys') ?? '';
    const onDigit = (digit: string): boolean => {
      const keys = exitKeys();
      if (keys === '' || !keys.includes(digit)) return false;
      ch.setVariable('cc_exit_key', digit);
      session.cancelReason = 'EXIT_WITH_KEY';
      return true;
    };

    /** The wait ends: the music stops, then leave. */
    const endWait = async () => {
      if (phase !== 'waiting') return;
      phase = 'leaving';
      if (playing) await playing();
      else await leave();
    };

    const leave = async () => {
      if (phase === 'over') return;
      phase = 'over';
      stopTimer();
      stopDigits();
      const agentFound = switchTrue(ch.variable('cc_agent_bridged')) || switchTrue(ch.variable('cc_agent_found')) || session.agentFound;
      if (session.cancelReason === 'NONE' && !agentFound) session.cancelReason = 'BREAK_OUT';
      ch.setVariable('cc_agent_found', undefined);
      const leaving = epochNow(core);
      if (ch.hungUp || session.cancelReason !== 'NONE') {
        row.state = 'Abandoned';
        row.sessionUuid = '';
        row.abandonedEpoch = leaving;
        hangupDials(t, memberUuid, Cause.ORIGINATOR_CANCEL);
        fireWithChannel(ch, [
          ['CC-Queue', queueName],
          ['CC-Action', 'member-queue-end'],
          ['CC-Member-Leaving-Time', String(leaving)],
          ['CC-Member-Joined-Time', String(joined)],
          ['CC-Cause', 'Cancel'],
          ['CC-Cancel-Reason', session.cancelReason],
          ['CC-Member-UUID', memberUuid],
          ['CC-Member-Session-UUID', ch.uuid],
          ['CC-Member-CID-Name', cidName],
          ['CC-Member-CID-Number', cidNumber],
        ]);
        ch.setVariable('cc_queue_canceled_epoch', String(leaving));
        ch.setVariable('cc_cause', 'cancel');
        ch.setVariable('cc_cancel_reason', session.cancelReason);
        core.log('DEBUG', `Member "${cidName}" <${cidNumber}> abandoned waiting in queue ${queueName} (reason: ${session.cancelReason})`, ch.uuid);
        const q = t.queues.get(queueName);
        if (q) q.callsAbandoned++;
      } else {
        ch.setVariable('cc_cause', 'answered');
        const q = t.queues.get(queueName);
        if (q) q.callsAnswered++;
      }
      if (t.sessions.get(memberUuid) === session) t.sessions.delete(memberUuid);
      queueCount(ch, queueName);
      await done();
    };

    /** cc_member_thread_run: the wait limits, every 500 ms. */
    const check = async () => {
      if (phase !== 'waiting') return;
      const q = t.queues.get(queueName);
      const at = epochNow(core);
      if (q && !session.connecting && !session.agentFound) {
        if (q.maxWaitTime > 0 && q.maxWaitTime <= at - joined) session.cancelReason = 'TIMEOUT';
        if (q.maxWaitTimeWithNoAgent > 0 && q.lastAgentExistCheck > q.lastAgentExist && joined <= q.lastAgentExistCheck) {
          const without = q.lastAgentExistCheck - q.lastAgentExist;
          if (without >= q.maxWaitTimeWithNoAgent) {
            const grace = q.maxWaitTimeWithNoAgentTimeReached;
            if (grace <= 0 || q.lastAgentExistCheck - joined >= grace + q.maxWaitTimeWithNoAgent) session.cancelReason = 'NO_AGENT_TIMEOUT';
          }
        }
      }
      if (session.cancelReason !== 'NONE') return endWait();
      stopTimer = ch.after(MEMBER_CHECK_MS, check);
    };

    const cur = ch.variable('cc_moh_override') ?? queue.moh;
    const moh = cur !== undefined ? await ch.expand(cur) : undefined;

    const waitRound = async (): Promise<void> => {
      if (phase !== 'waiting') return leave();
      if (moh && mohValid) {
        const started = core.nowUs();
        playing = await playFile(
          ch,
          moh,
          async () => {
            playing = undefined;
            if (phase !== 'waiting' || ch.hungUp || session.cancelReason !== 'NONE') {
              phase = 'leaving';
              return leave();
            }
            if (lastEnd === 'notfound') mohValid = false;
            if (core.nowUs() === started && mohValid) {
              // music that lasts no time is not replayed at once: a frame's wait first
              const cancel = ch.after(20, waitRound);
              playing = async () => {
                cancel();
                playing = undefined;
                await leave();
              };
              return;
            }
            await waitRound();
          },
          (how) => {
            lastEnd = how;
          },
          onDigit,
        );
        return;
      }
      // no music: digits only
      stopDigits = ch.readDtmf((d) => {
        if (onDigit(d)) void endWait();
      });
      playing = async () => {
        stopDigits();
        playing = undefined;
        await leave();
      };
    };

    ensureDispatch(t);
    stopTimer = ch.after(MEMBER_CHECK_MS, check);
    await waitRound();
    return async () => {
      // hung up, or moved by the bridge to the agent
      if (phase === 'waiting') phase = 'leaving';
      if (playing) await playing();
      else await leave();
    };
  },
};

export const CALLCENTER_APPLICATIONS: readonly Application[] = [CALLCENTER_APP];
