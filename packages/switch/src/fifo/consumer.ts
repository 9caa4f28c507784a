/**
 * `fifo <name>[,<name>…] out [wait|nowait]`: the consumer takes the callers of its nodes. Of the
 * nodes with callers it picks one (`fifo_strategy`: `waiting_longer`, the default — the node
 * with callers the longest — or `more_ppl`; a node of higher importance than those before it
 * wins over them), and of that node's callers the first `fifo_vip` one, else the oldest of the
 * lowest priority slot (`fifo_pop_order` gives the slots' order). It plays its announcement, has
 * the caller leave its wait, and bridges to it; `nowait` ends after one call (or at once with no
 * caller), `wait` takes the next after a wrap-up (`fifo_consumer_wrapup_time`, 5000 ms by default,
 * `fifo_consumer_wrapup_key`, `fifo_consumer_wrapup_sound`) until it hangs up, waiting with its
 * music in between. Its `fifo_consumer_exit_key` (default `*`) during the bridge hangs the
 * caller up.
 */
import { callChannel } from '../api/uuid_commands.ts';
import { type MediaEnd, playFile } from '../applications/media.ts';
import type { AppChannel, Interrupter } from '../applications/types.ts';
import type { ProcessContext } from '@beamline/core';
import { Cause } from '../channel/causes.ts';
import type { Channel } from '../channel/channel.ts';
import type { CallerProfile } from '../channel/profile.ts';
import type { Exports } from '../channel/exports.ts';
import type { SessionPeer } from '../channel/session_peer.ts';
import { switchTrue } from '../internal/strings.ts';
import { updatePositions } from './caller.ts';
import { channelDataOf, epochNow, fifoDate, fireFifo, fireFifoWith } from './events.ts';
import {
  type FifoBridge,
  type FifoCaller,
  type FifoConsumer,
  type FifoNode,
  MAX_PRI,
  addUse,
  cancelCallerOutbound,
  cancelConsumerOutbound,
  destroyIfUnused,
  fifoTable,
  useCount,
} from './nodes.ts';
import { checkCancel } from './outbound.ts';

export interface ConsumerArgs {
  readonly fifoName: string;
  readonly nodes: readonly FifoNode[];
  readonly announce: string | undefined;
  readonly moh: string | undefined;
  readonly wait: boolean;
}

type Phase = 'idle' | 'serving' | 'bridged' | 'wrapup' | 'over';

/** The slots in the order `fifo_pop_order` gives (unknown numbers count as slot 0), else 0–9. */
function popOrder(value: string | undefined): number[] {
  if (!value) return Array.from({ length: MAX_PRI }, (_, i) => i);
  const items = value.split(',').slice(0, MAX_PRI - 1);
  return items.map((s) => {
    const n = Number.parseInt(s, 10);
    return n > -1 && n < MAX_PRI ? n : 0;
  });
}

/** The node to serve: waiting_longer or more_ppl among those with callers, importance first. */
function chooseNode(nodes: readonly FifoNode[], strategy: 'waiting_longer' | 'more_ppl'): FifoNode | undefined {
  let winner: FifoNode | undefined;
  let longest = Number.MAX_SAFE_INTEGER;
  let most = 0;
  let importance = 0;
  for (const node of nodes) {
    const waiting = node.callerCount;
    if (!waiting) continue;
    if (!importance || node.importance > importance) {
      if (strategy === 'waiting_longer') {
        if (node.startWaiting < longest) {
          longest = node.startWaiting;
          winner = node;
        }
      } else if (waiting > most) {
        most = waiting;
        winner = node;
      }
    }
    if (node.importance > importance) importance = node.importance;
  }
  return winner;
}

/** The consumer's id shown to callers in events: its callee id (inbound) or caller id (outbound). */
function consumerCallerId(ch: AppChannel): [string, string] {
  const probe = ch.core.bus.create('CUSTOM', 'fifo::probe');
  ch.addChannelData(probe);
  if (probe.getHeader('Call-Direction') === 'inbound') {
    const name = ch.variable('callee_id_name') ?? ch.variable('destination_number') ?? '';
    return [name, ch.variable('callee_id_number') ?? name];
  }
  return [ch.variable('caller_id_name') ?? '', ch.variable('caller_id_number') ?? ''];
}

const timeHeaders = (prefix: string, kind: string, us: number): [string, string][] => [
  [`${prefix}-${kind}-Time-us`, String(us)],
  [`${prefix}-${kind}-Time-ms`, String(Math.floor(us / 1000))],
  [`${prefix}-${kind}-Time-s`, String(Math.floor(us / 1_000_000))],
];

export async function runConsumer(ch: AppChannel, a: ConsumerArgs, done: () => void | Promise<void>): Promise<Interrupter | undefined> {
  const core = ch.core;
  const env = (ctx: ProcessContext) => ({ ctx, core });
  const strat = ch.variable('fifo_strategy');
  let strategy: 'waiting_longer' | 'more_ppl' = 'waiting_longer';
  if (strat) {
    if (strat.toLowerCase() === 'more_ppl') strategy = 'more_ppl';
    else if (strat.toLowerCase() !== 'waiting_longer') {
      core.log('ERR', 'Invalid strategy', ch.uuid);
      await done();
      return undefined;
    }
  }
  const myId = ch.variable('fifo_consumer_id') ?? ch.uuid;
  const [cidName, cidNumber] = consumerCallerId(ch);
  const order = popOrder(ch.variable('fifo_pop_order'));
  /** fifo_outbound_uuid: the member this consumer is a call to (its use counts follow the bridges). */
  const outboundId = ch.variable('fifo_outbound_uuid') || undefined;
  /** FIFO-Consumer-Outbound-ID / -Use-Count, on the consumer's events when it is a member's call. */
  const outboundHeaders = (): [string, string][] =>
    outboundId
      ? [
          ['FIFO-Consumer-Outbound-ID', outboundId],
          ['FIFO-Consumer-Use-Count', String(useCount(core, outboundId))],
        ]
      : [];

  /** The fifo_outbound rows with that outbound id (in any fifo). */
  const membersOf = (id: string) => fifoTable(core).members.filter((m) => m.uuid === id);

  let phase: Phase = 'idle';
  let playing: Interrupter | undefined;
  let lastEnd: MediaEnd = 'played';
  let bridgeStop: (() => Promise<void>) | undefined;
  /** Set once the consumer hung up: a caller being taken goes back to its queue. */
  let gone = false;
  /** A caller arrived while the music played (its stop is a break). */
  let woken = false;

  const ref: FifoConsumer = {
    uuid: ch.uuid,
    bridged: false,
    wake: () => {
      if (phase !== 'idle') return;
      // the C's read-frame callback breaks the music: a break, not a failure
      if (playing) {
        woken = true;
        void playing();
      } else void next();
    },
  };

  const stop = async () => {
    if (phase === 'over') return;
    phase = 'over';
    fireFifo(ch, a.fifoName, 'consumer_stop');
    if (a.wait)
      for (const node of a.nodes) {
        if (node.consumers.get(ch.uuid) === ref) node.consumers.delete(ch.uuid);
        node.consumerCount--;
      }
    if (switchTrue(ch.variable('fifo_destroy_after_use'))) for (const node of a.nodes) destroyIfUnused(core, node);
    await done();
  };

  /** The next caller, or the wait for one (`wait`), or the end (`nowait`). */
  const next = async (): Promise<void> => {
    if (phase === 'over') return;
    if (ch.hungUp) return stop();
    phase = 'idle';
    const node = chooseNode(a.nodes, strategy);
    let popped: ReturnType<FifoNode['pop']>;
    // a call to a member dialled for one caller (ringall) takes that caller
    const target = node ? ch.variable('fifo_bridge_uuid') : undefined;
    if (node && target) {
      const required = switchTrue(ch.variable('fifo_bridge_uuid_required'));
      const answered = () => core.log('WARNING', `${ch.name} Call has already been answered`, ch.uuid);
      if (required && fifoTable(core).bridged.has(target)) {
        answered();
        return stop();
      }
      cancelConsumerOutbound(core, outboundId, Cause.ORIGINATOR_CANCEL);
      popped = node.popUuid(target, order);
      if (popped) cancelCallerOutbound(core, target, Cause.PICKED_OFF);
      else if (required) {
        answered();
        return stop();
      }
    }
    popped ??= node?.pop(order);
    if (node && popped) {
      updatePositions(ch, popped.moved);
      ch.aside((ctx) => checkCancel(ctx, core, node));
      return take(node, popped.caller);
    }
    if (!a.wait) return stop();
    if (a.moh) {
      const started = core.nowUs();
      woken = false;
      playing = await playFile(
        ch,
        a.moh,
        async () => {
          playing = undefined;
          if (ch.hungUp || lastEnd === 'notfound' || (lastEnd === 'killed' && !woken)) return stop();
          // music that lasts no time is not played again at once (it would spin): a frame's wait first
          if (lastEnd === 'played' && core.nowUs() === started) {
            const cancel = ch.after(20, next);
            playing = async () => {
              cancel();
              playing = undefined;
              await next();
            };
            return;
          }
          await next();
        },
        (how) => {
          lastEnd = how;
        },
      );
    }
  };

  /** caller_pop and consumer_pop, the announcement, then the caller leaves its wait. */
  const take = async (node: FifoNode, caller: FifoCaller): Promise<void> => {
    phase = 'serving';
    ch.aside(
      async (ctx) =>
        (
          await callChannel<string | null>(env(ctx), caller.uuid, {
            op: 'work',
            work: (c: Channel) => {
              fireFifo(c, a.fifoName, 'caller_pop');
              return c.variable('fifo_override_announce') ?? null;
            },
          })
        )?.value,
      async (override) => {
        if (phase === 'over') return putBack(node, caller);
        // the caller is gone: the C goes round again
        if (override === undefined) return next();
        fireFifo(ch, a.fifoName, 'consumer_pop', [['FIFO-Caller-UUID', caller.uuid]]);
        const announce = override ?? a.announce;
        if (!announce) return serve(node, caller);
        playing = await playFile(ch, announce, async () => {
          playing = undefined;
          if (ch.hungUp) {
            putBack(node, caller);
            return stop();
          }
          await serve(node, caller);
        });
      },
    );
  };

  /** A caller taken from its slot but not served (the consumer left first) goes back to its head. */
  const putBack = (node: FifoNode, caller: FifoCaller) => {
    if (core.sessions.has(caller.uuid)) node.putBack(caller, core.nowUs());
  };

  /** fifo_serviced_by / _uuid on the caller, its wait ends; once it left, the bridge. */
  const serve = async (node: FifoNode, caller: FifoCaller): Promise<void> => {
    ch.aside(
      async (ctx) => {
        const served = await callChannel<boolean>(env(ctx), caller.uuid, {
          op: 'work',
          work: (c: Channel) => caller.serve(ch.uuid, myId, () => c.breakMedia()),
        });
        if (!served?.value || !(await caller.left)) return undefined;
        if (gone) {
          await requeue(env(ctx), caller.uuid);
          return undefined;
        }
        const profile = (await callChannel<CallerProfile>(env(ctx), caller.uuid, { op: 'profile' }))?.value;
        const bridgeExports = (await callChannel<Exports>(env(ctx), caller.uuid, { op: 'bridgeExports' }))?.value;
        const pid = core.sessions.get(caller.uuid);
        return pid ? { uuid: caller.uuid, pid, profile, bridgeExports } : undefined;
      },
      async (peer) => {
        if (phase === 'over') return;
        if (!peer) return next();
        await bridge(node, peer);
      },
    );
  };

  /** The consumer left while the caller was leaving its wait: it goes back to its application as a VIP. */
  const requeue = async (e: ReturnType<typeof env>, callerUuid: string) => {
    const agent = `${ch.variable('caller_id_name') ?? ''} [${ch.variable('caller_id_number') ?? ''}]`;
    await callChannel(e, callerUuid, {
      op: 'work',
      work: async (c: Channel) => {
        const who = `${c.name} ${c.variable('caller_id_name') ?? ''} [${c.variable('caller_id_number') ?? ''}]`;
        core.log(
          'WARNING',
          `Customer ${who} appears to be abandoned by agent ${agent} but is still on the line, redirecting them back to the queue with VIP status.`,
          ch.uuid,
        );
        const app = c.variable('current_application');
        c.setVariable('fifo_vip', 'true');
        if (!app) return c.step({ type: 'HANGUP', cause: Cause.NORMAL_CLEARING });
        c.resetExtension(app, c.variable('current_application_data') ?? '');
        return c.step({ type: 'SET_STATE', state: 'CS_EXECUTE' });
      },
    });
  };

  const bridge = async (node: FifoNode, peer: SessionPeer) => {
    await ch.send({ type: 'ANSWER' });
    const date = fifoDate(core);
    const epochStart = epochNow(core);
    const startUs = core.nowUs();
    ch.setVariable('fifo_status', 'TALKING');
    ch.setVariable('fifo_target', peer.uuid);
    ch.setVariable('fifo_timestamp', date);
    ch.setVariable('fifo_epoch_start_bridge', String(epochStart));
    ch.setVariable('fifo_role', 'consumer');
    const record: FifoBridge = {
      callerUuid: peer.uuid,
      callerIdName: peer.profile?.callerIdName ?? '',
      callerIdNumber: peer.profile?.callerIdNumber ?? '',
      consumerUuid: ch.uuid,
      consumerOutgoingUuid: outboundId ?? '',
      start: epochStart,
    };
    const bridged = fifoTable(core).bridged;
    ch.aside(
      (ctx) =>
        callChannel(env(ctx), peer.uuid, {
          op: 'work',
          work: (c: Channel) => {
            c.setVariable('fifo_status', 'TALKING');
            c.setVariable('fifo_timestamp', date);
            c.setVariable('fifo_epoch_start_bridge', String(epochStart));
            c.setVariable('fifo_target', ch.uuid);
            c.setVariable('fifo_role', 'caller');
          },
        }),
      async () => {
        if (phase === 'over') return;
        phase = 'bridged';
        ref.bridged = true;
        if (outboundId) {
          cancelConsumerOutbound(core, outboundId, Cause.ORIGINATOR_CANCEL);
          bridged.add(outboundId);
          const now = epochNow(core);
          for (const m of membersOf(outboundId)) {
            m.stopTime = 0;
            m.startTime = now;
            m.useCount++;
            m.outboundFailCount = 0;
          }
          addUse(core, outboundId, 1);
        }
        fireFifo(ch, a.fifoName, 'channel-consumer-start', [
          ['FIFO-Type', 'onhook'],
          ['FIFO-Caller-CID-Name', cidName],
          ['FIFO-Caller-CID-Number', cidNumber],
          ...outboundHeaders(),
        ]);
        fireFifo(ch, a.fifoName, 'bridge-consumer-start', outboundHeaders());
        bridged.add(peer.uuid);
        bridged.add(ch.uuid);
        node.bridges.push(record);
        ch.setVariable('signal_bond', peer.uuid);
        ch.setVariable('fifo_initiated_bridge', 'true');
        ch.setVariable('fifo_bridge_role', 'consumer');
        ch.aside(
          (ctx) =>
            callChannel(env(ctx), peer.uuid, {
              op: 'work',
              work: (c: Channel) => {
                fireFifo(c, a.fifoName, 'bridge-caller-start');
                c.setVariable('signal_bond', ch.uuid);
                c.setVariable('fifo_initiated_bridge', 'true');
                c.setVariable('fifo_bridge_role', 'caller');
                return channelDataOf(c);
              },
            }),
          async (data) => {
            callerData = (data?.value as [string, string][] | undefined) ?? [];
            if (phase === 'over') return;
            const exitKey = ch.variable('fifo_consumer_exit_key') || '*';
            bridgeStop = await ch.bridgeSession({ ...peer, terminateKeys: exitKey.charAt(0) }, () =>
              bridgeOver(node, peer.uuid, record, startUs, epochStart),
            );
          },
        );
      },
    );
  };

  /** The caller's data as the bridge started: its bridge-caller-stop has it if the caller is gone by then. */
  let callerData: [string, string][] = [];

  const bridgeOver = async (node: FifoNode, callerUuid: string, record: FifoBridge, startUs: number, epochStart: number) => {
    bridgeStop = undefined;
    ref.bridged = false;
    const table = fifoTable(core);
    table.bridged.delete(ch.uuid);
    table.bridged.delete(callerUuid);
    const i = node.bridges.indexOf(record);
    if (i >= 0) node.bridges.splice(i, 1);
    const talkUs = core.nowUs() - startUs;
    if (outboundId) {
      const now = epochNow(core);
      for (const m of membersOf(outboundId)) {
        m.stopTime = now;
        if (m.useCount <= 0) continue;
        m.useCount--;
        m.outboundCallTotalCount++;
        m.outboundCallCount++;
        m.nextAvail = now + m.lag + 1;
      }
      table.bridged.delete(outboundId);
      addUse(core, outboundId, -1);
    }
    fireFifo(ch, a.fifoName, 'channel-consumer-stop', [
      ['FIFO-Type', 'onhook'],
      ...outboundHeaders(),
      ...timeHeaders('FIFO-Consumer', 'Bridge', startUs),
      ...timeHeaders('FIFO-Consumer', 'Talk', talkUs),
      ...timeHeaders('FIFO-Consumer', 'Hold', 0),
    ]);
    fireFifo(ch, a.fifoName, 'bridge-consumer-stop', outboundHeaders());
    const epochEnd = epochNow(core);
    const date = fifoDate(core);
    const times = [...timeHeaders('FIFO-Caller', 'Talk', talkUs), ...timeHeaders('FIFO-Caller', 'Hold', 0)];
    const kept = callerData;
    // the caller's stop comes before anything else of the consumer's (the C fires it from the consumer's thread)
    ch.aside(
      async (ctx) => {
        const reached = await callChannel(env(ctx), callerUuid, {
          op: 'work',
          work: (c: Channel) => {
            fireFifo(c, a.fifoName, 'bridge-caller-stop', times);
            c.setVariable('fifo_epoch_stop_bridge', String(epochEnd));
            c.setVariable('fifo_bridge_seconds', String(epochEnd - epochStart));
            c.setVariable('fifo_status', 'DONE');
            c.setVariable('fifo_timestamp', date);
            return true;
          },
        });
        if (!reached) fireFifoWith(core, kept, a.fifoName, 'bridge-caller-stop', times);
      },
      async () => {
        ch.setVariable('fifo_epoch_stop_bridge', String(epochEnd));
        ch.setVariable('fifo_bridge_seconds', String(epochEnd - epochStart));
        ch.setVariable('fifo_status', 'WAITING');
        ch.setVariable('fifo_timestamp', date);
        if (!a.wait || ch.hungUp) return stop();
        await wrapup();
      },
    );
  };

  /** consumer_wrapup: the wrap-up sound, then the wrap-up time (cut short by the wrap-up key). */
  const wrapup = async () => {
    phase = 'wrapup';
    const sound = ch.variable('fifo_consumer_wrapup_sound');
    const key = ch.variable('fifo_consumer_wrapup_key');
    const given = ch.variable('fifo_consumer_wrapup_time');
    const ms = given ? Number.parseInt(given, 10) || 0 : 5000;
    if (ms || key) {
      ch.setVariable('fifo_status', 'WRAPUP');
      fireFifo(ch, a.fifoName, 'consumer_wrapup');
    }
    let pressed = '';
    const afterTime = async () => {
      playing = undefined;
      if (phase === 'over') return;
      ch.setVariable('fifo_status', 'WAITING');
      if (ch.hungUp) return stop();
      fireFifo(ch, a.fifoName, 'consumer_reentrance');
      await next();
    };
    const timeWait = async () => {
      playing = undefined;
      if (ch.hungUp) return stop();
      if (!ms) return afterTime();
      let cancel = () => {};
      let stopReading = () => {};
      const end = async () => {
        cancel();
        stopReading();
        await afterTime();
      };
      cancel = ch.after(ms, end);
      // with a key not pressed yet, the key ends the wrap-up early
      if (key && pressed !== key)
        stopReading = ch.readDtmf((d) => {
          if (d === key.charAt(0)) return end();
        });
      playing = end;
    };
    if (sound) {
      playing = await playFile(ch, sound, timeWait, undefined, (d) => {
        pressed = d;
        return true;
      });
      return;
    }
    await timeWait();
  };

  if (a.wait) {
    for (const node of a.nodes) {
      node.consumerCount++;
      node.consumers.set(ch.uuid, ref);
    }
    await ch.send({ type: 'ANSWER' });
  }
  fireFifo(ch, a.fifoName, 'consumer_start');
  ch.setVariable('fifo_status', 'WAITING');
  ch.setVariable('fifo_timestamp', fifoDate(core));
  await next();

  return async () => {
    gone = true;
    if (bridgeStop) return bridgeStop();
    if (playing) {
      const p = playing;
      playing = undefined;
      await p();
    }
    await stop();
  };
}
