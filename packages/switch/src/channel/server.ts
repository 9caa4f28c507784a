/**
 * The channel process: a GenServer owning one Channel (channel/channel.ts).
 *
 * Why a GenServer and not core's StateMachine: the channel machine's effects include running
 * handlers and applications that await other processes (loopback starts its B leg, mirrors
 * answer to its partner) and feed events back into the machine between effects, in an order
 * the effects themselves decide. StateMachine performs actions synchronously inside a transition;
 * here the process runs xstate's pure `transition` and performs the returned effects one by one,
 * awaiting each, which keeps the FreeSWITCH session loop readable in one place.
 *
 * A channel that ends without being destroyed (a throw in an application, the supervisor's
 * shutdown) is hung up in `terminate` (CRASH, or SYSTEM_SHUTDOWN) and its loop run to
 * CHANNEL_DESTROY, so every channel's events end the same way.
 */
import type { DtmfSource } from './dtmf_queue.ts';
import {
  type CallResult,
  type From,
  GenServer,
  type InitResult,
  type NoReplyResult,
  type ProcessContext,
  noreply,
  normal,
  ok,
  reply,
  shutdown,
  stop,
} from '@beamline/core';
import { Tuple } from '@beamline/etf';
import { Cause, causeName } from './causes.ts';
import { Channel, type ChannelRead, type ChannelServices, type ChannelSpec, isChannelRead } from './channel.ts';
import type { ChannelEvent } from './machine.ts';
import type { Extension } from '../dialplan/xml_match.ts';
import type { OriginateLegTask } from './originate_types.ts';
import type { CallerProfile } from './profile.ts';
import type { Exports } from './exports.ts';

export interface ChannelArgs {
  readonly spec: ChannelSpec;
  readonly services: ChannelServices;
}

export type ChannelCall =
  | { readonly op: 'answer' }
  /**
   * `hungUp` runs in the channel right after CHANNEL_HANGUP, before the channel unwinds, with its
   * basic channel data (sendmsg hangup's PRIVATE_COMMAND comes there, as switch_ivr_parse_next_event fires it).
   * `queued` (a sendmsg: spec §1.13) answers before hanging up, as `execute` does, and waits for an
   * event-locked application to end; else the answer comes once the channel is hung up (an API such
   * as uuid_kill).
   */
  | {
      readonly op: 'hangup';
      readonly cause: number;
      readonly hungUp?: (basicData: [string, string][]) => void;
      readonly queued?: boolean;
    }
  | { readonly op: 'send'; readonly event: ChannelEvent }
  /** getvar, setvar, variables, data, profile, partner, mediaUp: answered from the channel's state. */
  | ChannelRead
  | {
      readonly op: 'execute';
      readonly application: string;
      readonly data: string;
      readonly appUuid?: string;
      readonly appUuidName?: string;
      readonly loops?: number;
      readonly lock?: boolean;
      readonly holdBleg?: boolean;
      /** Once it ran (its passes over): sendmsg's PRIVATE_COMMAND, with the basic channel data. */
      readonly executed?: (basicData: [string, string][]) => void;
    }
  | { readonly op: 'setExtension'; readonly extension: Extension }
  /**
   * switch_ivr_session_transfer; no dialplan or context: the channel's (Channel.redirect).
   * `silent`: a `-both` transfer's first leg, whose partner is transferred right after it.
   */
  | { readonly op: 'redirect'; readonly destination: string; readonly dialplan?: string; readonly context?: string; readonly silent?: boolean }
  | { readonly op: 'park' }
  | { readonly op: 'preAnswer' }
  /** `exports`: what the other leg hands this one through `bridge_export_vars`; the originator answers what it hands on. */
  | {
      readonly op: 'bridgeJoin';
      readonly other: string;
      readonly originator: boolean;
      readonly otherProfile?: CallerProfile;
      readonly exports?: Exports;
    }
  | { readonly op: 'bridged' }
  | {
      readonly op: 'xferext';
      readonly extension: Extension;
      /** Called once the transfer is set, with the basic channel data (PRIVATE_COMMAND's). */
      readonly transferred?: (data: [string, string][]) => void;
    }
  /** Originate's winner: its `post_originate` hooks run, then its caller profile is the answer. */
  | { readonly op: 'won' }
  /** One digit to the channel's endpoint (switch_core_session_send_dtmf); false once the channel is down. */
  | { readonly op: 'sendDtmf'; readonly digit: string; readonly duration: number; readonly source?: DtmfSource }
  /** switch_ivr_hold / switch_ivr_unhold / switch_ivr_hold_toggle_uuid. */
  | { readonly op: 'hold'; readonly mode: 'on' | 'off' | 'toggle' }
  /** uuid_break on this leg (`all`: its queued applications are dropped too). */
  | { readonly op: 'break'; readonly all: boolean }
  /** Digits as if the far end sent them (uuid_recv_dtmf: switch_channel_queue_dtmf, source APP). */
  | { readonly op: 'receiveDtmf'; readonly digits: readonly { readonly digit: string; readonly duration: number }[] }
  /** switch_channel_flush_dtmf. */
  | { readonly op: 'flushDtmf' }
  /** switch_channel_pass_callee_id from another leg: its callee id name and number, those not empty. */
  | { readonly op: 'takeCalleeId'; readonly name: string | undefined; readonly number: string | undefined }
  /** Work of a command on the located session (uuid_record), run in this process; answers its result. */
  | { readonly op: 'work'; readonly work: (ch: Channel) => unknown };

export type ChannelCast =
  | { readonly op: 'hangup'; readonly cause: number }
  | { readonly op: 'send'; readonly event: ChannelEvent }
  | {
      readonly op: 'unbridged';
      readonly from: string;
      readonly cause: number;
      readonly answered: boolean;
      readonly early?: boolean;
      readonly hungUp?: boolean;
      /** The sender waits for this leg to leave the bridge: answer with `unbridged` then. */
      readonly reply?: boolean;
    }
  | {
      readonly op: 'bridgePeer';
      readonly other: string;
      readonly otherName: string;
      readonly inner?: boolean | undefined;
      readonly exports?: Exports;
    }
  | { readonly op: 'partnerAnswered'; readonly from: string }
  /** A digit the far end sent (a loopback leg's other half; `RTP`: a phone's telephone-event; `ENDPOINT`: its SIP INFO): the DTMF event. */
  | { readonly op: 'dtmf'; readonly digit: string; readonly duration: number; readonly source?: DtmfSource }
  /** A digit for this leg's endpoint (from its bridged partner). */
  | { readonly op: 'sendDtmf'; readonly digit: string; readonly duration: number; readonly source?: DtmfSource }
  /** A queued application (the bridged partner's hold music for this leg). */
  | { readonly op: 'execute'; readonly application: string; readonly data: string; readonly loops: number; readonly lock: boolean }
  /** switch_channel_stop_broadcast. */
  | { readonly op: 'stopBroadcast' }
  /** The endpoint's far end holds the call (`on`) or takes it off hold (Channel.legHolding). */
  | { readonly op: 'legHolding'; readonly on: boolean }
  /** switch_channel_set_variable_partner, from the bridged partner. */
  | { readonly op: 'setvar'; readonly name: string; readonly value: string }
  /** Work of the originate that is dialling this leg, run here (its group_confirm). */
  | { readonly op: 'originateTask'; readonly run: OriginateLegTask };

/** The channel's data headers (switch_channel_event_set_data), or only the basic ones. */

const isShutdown = (r: unknown) => r === shutdown || (r instanceof Tuple && r.elements[0] === shutdown);

export class ChannelServer extends GenServer<Channel, ChannelCall, ChannelCast, unknown, ChannelArgs> {
  override async init(args: ChannelArgs, ctx: ProcessContext): Promise<InitResult<Channel>> {
    const ch = new Channel(args.spec, args.services, ctx);
    if (!(await ch.start())) return { tag: 'error', reason: 'duplicate_uuid' };
    return ok(ch, { continue: 'run' });
  }

  override async handleContinue(_cont: unknown, ch: Channel): Promise<NoReplyResult<Channel>> {
    await ch.drain();
    return ch.destroyed ? stop(normal, ch) : noreply(ch);
  }

  override async handleCall(req: ChannelCall, from: From, ch: Channel): Promise<CallResult<Channel, unknown>> {
    let answer: unknown = true;
    let replied = false;
    if (isChannelRead(req)) answer = ch.read(req);
    else
      switch (req.op) {
        case 'answer':
          answer = await ch.answer();
          break;
        case 'hangup':
          if (req.queued) {
            GenServer.reply(from, answer);
            replied = true;
            await new Promise((resolve) => setImmediate(resolve));
          }
          {
            const hangUp = async () => {
              await ch.send({ type: 'HANGUP', cause: req.cause });
              req.hungUp?.(ch.read({ op: 'data', basic: true }) as [string, string][]);
            };
            await (req.queued ? ch.privateCommand(hangUp) : hangUp());
          }
          break;
        case 'send':
          await ch.send(req.event);
          break;
        case 'execute':
          // the answer means "queued" (sendmsg, spec §1.13): the caller has it, and has passed it on,
          // before the application runs (FreeSWITCH's session thread picks the event up later)
          GenServer.reply(from, answer);
          replied = true;
          await new Promise((resolve) => setImmediate(resolve));
          await ch.queueExecute(req.application, req.data, {
            ...req,
            ran: () => {
              if (!ch.destroyed) req.executed?.(ch.read({ op: 'data', basic: true }) as [string, string][]);
            },
          });
          break;
        case 'setExtension':
          await ch.setExtension(req.extension);
          break;
        case 'redirect':
          await ch.redirect(req.destination, req.dialplan, req.context, req.silent);
          break;
        case 'park':
          await ch.parkSession();
          break;
        case 'bridgeJoin':
          answer = await ch.bridgeJoin(req.other, req.originator, req.otherProfile, req.exports);
          break;
        case 'bridged':
          ch.bridged();
          break;
        case 'xferext':
          // a sendmsg: answered as queued, then done in turn; PRIVATE_COMMAND as switch_ivr_parse_next_event
          // fires it, once the transfer is set and before park ends
          GenServer.reply(from, answer);
          replied = true;
          await new Promise((resolve) => setImmediate(resolve));
          await ch.privateCommand(async () => {
            await ch.transferToExtension(req.extension);
            req.transferred?.(ch.read({ op: 'data', basic: true }) as [string, string][]);
          });
          break;
        case 'won':
          await ch.runHooks('post_originate');
          answer = { profile: ch.profile, bridgeExports: ch.bridgeExports() };
          break;
        case 'preAnswer':
          answer = await ch.preAnswer();
          break;
        case 'sendDtmf':
          answer = ch.sendDtmf(req.digit, req.duration);
          break;
        case 'hold':
          answer = await ch.hold(req.mode);
          break;
        case 'break':
          ch.uuidBreak(req.all);
          break;
        case 'receiveDtmf':
          for (const d of req.digits) ch.receiveDtmf(d.digit, d.duration, 'APP');
          break;
        case 'flushDtmf':
          ch.flushDtmf();
          break;
        case 'takeCalleeId':
          ch.takeCalleeId(req.name, req.number);
          break;
        case 'work':
          answer = await req.work(ch);
          break;
      }
    await ch.drain();
    if (ch.destroyed) return replied ? stop(normal, ch) : stop(normal, ch, { reply: answer });
    return replied ? noreply(ch) : reply(answer, ch);
  }

  override async handleCast(msg: ChannelCast, ch: Channel): Promise<NoReplyResult<Channel>> {
    switch (msg.op) {
      case 'unbridged':
        await ch.partnerGone(msg.from, msg.cause, msg.answered, msg.early ?? false, msg.hungUp ?? true, msg.reply ?? false);
        break;
      case 'partnerAnswered':
        await ch.partnerAnswered(msg.from);
        break;
      case 'bridgePeer':
        await ch.bridgePeer(msg.other, msg.otherName, msg.inner, msg.exports);
        break;
      case 'hangup':
        await ch.send({ type: 'HANGUP', cause: msg.cause });
        break;
      case 'send':
        await ch.send(msg.event);
        break;
      case 'dtmf':
        ch.receiveDtmf(msg.digit, msg.duration, msg.source);
        break;
      case 'sendDtmf':
        ch.sendDtmf(msg.digit, msg.duration, true, msg.source);
        break;
      case 'execute':
        await ch.queueExecute(msg.application, msg.data, msg);
        break;
      case 'stopBroadcast':
        ch.stopBroadcast();
        break;
      case 'legHolding':
        await ch.legHolding(msg.on);
        break;
      case 'setvar':
        ch.setVariable(msg.name, msg.value);
        break;
      case 'originateTask':
        try {
          await msg.run(ch);
        } catch (err) {
          ch.core.log('ERR', `originate task failed: ${String(err)}`, ch.uuid);
        }
        break;
    }
    await ch.drain();
    return ch.destroyed ? stop(normal, ch) : noreply(ch);
  }

  override async handleInfo(msg: unknown, ch: Channel): Promise<NoReplyResult<Channel>> {
    if (typeof msg === 'object' && msg !== null && 'channelTimer' in msg) {
      const m = msg as { channelTimer: number; value?: unknown };
      ch.timer(m.channelTimer, m.value);
    }
    await ch.drain();
    return ch.destroyed ? stop(normal, ch) : noreply(ch);
  }

  override async terminate(reason: unknown, ch: Channel): Promise<void> {
    if (ch.destroyed) return;
    const cause = isShutdown(reason) ? Cause.SYSTEM_SHUTDOWN : Cause.CRASH;
    await ch.crash(reason, cause);
  }

  override describe(ch: Channel): Record<string, unknown> {
    const v = ch.view;
    return {
      uuid: ch.uuid,
      name: ch.name,
      state: v.running,
      callState: v.callState,
      hangupCause: v.hangupCause ? causeName(v.hangupCause) : undefined,
    };
  }
}
