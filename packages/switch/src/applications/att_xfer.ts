/**
 * mod_dptools' `att_xfer <dial string>` (att_xfer_function / att_thread_run): the transferor —
 * this channel, bridged to the transferee (its partner, `soft_holding_uuid` meanwhile), which hears
 * hold music while a broadcast runs it — dials the target and talks to it in an inner bridge
 * (CF_INNER_BRIDGE: neither leg is hung up or moved when it ends). Its digits: the hangup key
 * (`attxfer_hangup_key`, default `*`) hangs the transferor up, the cancel key (`attxfer_cancel_key`,
 * `#`) the target, the conference key (`attxfer_conf_key`, `0`) gives the target `three_way` on
 * the transferor. When the inner bridge is over: a target still up and a transferor gone →
 * uuid_bridge(target, transferee); a target gone → uuid_bridge(transferor, transferee); both up
 * (conference) → uuid_bridge(transferor, transferee) and, when either of them hangs up, the other
 * joins the target (`xfer_uuids`). `att_xfer_result` is `success` or `failure` on the leg bridged.
 */
import { GenServer } from '@beamline/core';
import type { Pid } from '@beamline/etf';
import { type ChannelReach, callChannel } from '../api/uuid_commands.ts';
import { Cause } from '../channel/causes.ts';
import type { Channel } from '../channel/channel.ts';
import { type OriginateResult, type OriginateWinner, originateCallerOf } from '../channel/originate_types.ts';
import type { ChannelStateName } from '../channel/states.ts';
import type { AppChannel, Application } from './types.ts';

/** The three keys: the channel's variable, else the target's, else the default. */
interface AttKeys {
  readonly hangup: string;
  readonly cancel: string;
  readonly conf: string;
}

const KEY_VARIABLES = [
  ['hangup', 'attxfer_hangup_key', '*'],
  ['cancel', 'attxfer_cancel_key', '#'],
  ['conf', 'attxfer_conf_key', '0'],
] as const;

type Pressed = keyof AttKeys | undefined;

/** switch_channel_get_partner_uuid: `signal_bond`, else `originate_signal_bond`. */
const partnerUuid = (ch: AppChannel): string | undefined => ch.variable('signal_bond') || ch.variable('originate_signal_bond') || undefined;

const isDown = (state: ChannelStateName | undefined) =>
  state === undefined || state === 'CS_HANGUP' || state === 'CS_REPORTING' || state === 'CS_DESTROY';

/** What the dialling needs from this channel, read in its own process. */
interface Dialling {
  readonly won: OriginateWinner;
  readonly keys: AttKeys;
}

/** switch_ivr_originate from the transferor, in the aside's process; undefined when no target answered. */
async function dialTarget(env: ChannelReach, uuid: string, dial: string, onEngine: (engine: Pid) => void): Promise<Dialling | undefined> {
  const got = await callChannel<{ originate: Channel['services']['originate']; req: ReturnType<typeof originateCallerOf> }>(env, uuid, {
    op: 'work',
    work: (c) => ({ originate: c.services.originate, req: originateCallerOf(c) }),
  });
  const originate = got?.value.originate;
  if (!got || !originate) return undefined;
  onEngine(env.ctx.self);
  let result: OriginateResult;
  try {
    result = await originate(env.ctx, { dial, timeoutSec: 0, caller: got.value.req.caller, baseVars: got.value.req.exported });
  } catch (err) {
    env.core.log('ERR', `originate failed: ${String(err)}`, uuid);
    return undefined;
  }
  if (!result.ok) return undefined;
  const own = await callChannel<Record<string, string | undefined>>(env, uuid, {
    op: 'work',
    work: (c) => Object.fromEntries(KEY_VARIABLES.map(([, name]) => [name, c.variable(name)])),
  });
  const keyOf = async ([, name, fallback]: (typeof KEY_VARIABLES)[number]): Promise<string> =>
    own?.value[name] ?? (await callChannel<string | undefined>(env, result.winner.uuid, { op: 'getvar', name }))?.value ?? fallback;
  const [hangup, cancel, conf] = KEY_VARIABLES;
  const keys: AttKeys = { hangup: await keyOf(hangup), cancel: await keyOf(cancel), conf: await keyOf(conf) };
  return { won: result.winner, keys };
}

/** switch_channel_down on another leg: gone, or hanging up. */
async function legDown(env: ChannelReach, uuid: string): Promise<boolean> {
  const found = await callChannel<ChannelStateName>(env, uuid, { op: 'work', work: (c) => (c.hungUp ? 'CS_HANGUP' : c.view.state) });
  return isDown(found?.value);
}

/** switch_ivr_uuid_bridge through the uuid_bridge command: true on success. */
async function uuidBridge(api: AppChannel['api'], a: string, b: string): Promise<boolean> {
  const out = await api('uuid_bridge', `${a} ${b}`);
  return out?.startsWith('+OK') ?? false;
}

const result = (ok: boolean) => (ok ? 'success' : 'failure');

/**
 * hanguphook: once `uuid`'s leg hangs up or goes back to routing, `uuid_bridge <its xfer_uuids>`
 * joins the two legs it names (the conference's survivor and the target).
 */
async function addXferHook(env: ChannelReach, uuid: string): Promise<void> {
  await callChannel(env, uuid, {
    op: 'work',
    work: (c) =>
      c.addStateHook(async (state) => {
        if (state !== 'CS_HANGUP' && state !== 'CS_ROUTING') return true;
        const ids = c.variable('xfer_uuids');
        if (ids) {
          // waited for: the join must come before this leg's bridge tells its partner it left
          const text = await c.api('uuid_bridge', ids);
          c.core.log('DEBUG', `\nHangup Command uuid_bridge(${ids}):\n${text ?? ''}\n`, c.uuid);
        }
        return false;
      }),
  });
}

/** xfer_on_dtmf's conference key: the target's extension becomes `three_way <transferor>` (`intercept` once the transferee is gone). */
async function targetJoinsConference(env: ChannelReach, target: string, transferor: string, bond: string | undefined): Promise<void> {
  const bondUp = bond !== undefined && !(await legDown(env, bond));
  const app = bondUp ? 'three_way' : 'intercept';
  await callChannel(env, target, {
    op: 'work',
    work: async (c) => {
      c.resetExtension(app, transferor);
      await c.send({ type: 'SET_STATE', state: 'CS_EXECUTE' });
    },
  });
}

export const ATT_XFER_APP: Application = {
  name: 'att_xfer',
  run: async (ch, data, done) => {
    const bond = partnerUuid(ch);
    const self = ch.uuid;
    ch.setVariable('soft_holding_uuid', bond);
    let phase: 'dialing' | 'bridged' | 'after' | 'over' = 'dialing';
    let engine: Pid | undefined;
    let stopBridge: (() => Promise<void>) | undefined;
    let pressed: Pressed;
    const finish = async () => {
      if (phase === 'over') return;
      phase = 'over';
      await done();
    };
    /** The end of att_thread_run: soft_holding_uuid cleared. */
    const end = async () => {
      if (!ch.hungUp) ch.setVariable('soft_holding_uuid', undefined);
      await finish();
    };

    /** What att_thread_run does once the inner bridge is over, from a process of its own. */
    const afterBridge = async (target: string) => {
      phase = 'after';
      if (pressed === 'hangup') await ch.send({ type: 'HANGUP', cause: Cause.NORMAL_CLEARING });
      ch.setVariable('signal_bond', bond);
      if (pressed === 'conf') ch.setVariable('hangup_after_bridge', undefined);
      const transferorUp = !ch.hungUp;
      const api = ch.api.bind(ch);
      ch.aside(
        async (ctx) => {
          const env: ChannelReach = { ctx, core: ch.core };
          if (pressed === 'cancel')
            await callChannel(env, target, { op: 'work', work: (c) => c.send({ type: 'HANGUP', cause: Cause.NORMAL_CLEARING }) });
          if (pressed === 'conf') await targetJoinsConference(env, target, self, bond);
          const targetDown = await legDown(env, target);
          if (bond === undefined) {
            // no transferee to go back to: a target left up has nothing to join
            if (!targetDown) await callChannel(env, target, { op: 'work', work: (c) => c.send({ type: 'HANGUP', cause: Cause.NORMAL_CLEARING }) });
            return;
          }
          if (!targetDown && !transferorUp) {
            const ok = await uuidBridge(api, target, bond);
            await callChannel(env, target, { op: 'setvar', name: 'att_xfer_result', value: result(ok) });
            return;
          }
          if (!targetDown) {
            await callChannel(env, bond, { op: 'setvar', name: 'xfer_uuids', value: `${target} ${self}` });
            await callChannel(env, self, { op: 'setvar', name: 'xfer_uuids', value: `${target} ${bond}` });
            await addXferHook(env, self);
            await addXferHook(env, bond);
          }
          const ok = await uuidBridge(api, self, bond);
          await callChannel(env, self, { op: 'setvar', name: 'att_xfer_result', value: result(ok) });
        },
        () => end(),
      );
    };

    ch.aside(
      (ctx) =>
        dialTarget({ ctx, core: ch.core }, self, data, (pid) => {
          engine = pid;
        }),
      async (dialled) => {
        if (phase !== 'dialing') {
          const winner = dialled?.won.pid;
          if (winner) ch.aside(async (ctx) => GenServer.cast(ctx, winner, { op: 'hangup', cause: Cause.ORIGINATOR_CANCEL }));
          return;
        }
        if (!dialled || ch.hungUp) {
          ch.setVariable('signal_bond', bond);
          await end();
          return;
        }
        const { won, keys } = dialled;
        phase = 'bridged';
        stopBridge = await ch.bridgeSession(
          {
            uuid: won.uuid,
            pid: won.pid,
            profile: won.profile,
            bridgeExports: won.bridgeExports,
            inner: true,
            // xfer_on_dtmf: the hangup key, then the cancel key, then the conference key end the bridge
            inputCallback: (digit) => {
              for (const [key] of KEY_VARIABLES) {
                if (digit === keys[key].charAt(0)) {
                  pressed = key;
                  return false;
                }
              }
              return true;
            },
          },
          () => afterBridge(won.uuid),
        );
      },
    );
    return async () => {
      // the transferor hangs up or is moved: dialling is cancelled; a bridge ends as the hangup key ends it
      if (phase === 'dialing') {
        phase = 'over';
        const cancelled = engine;
        if (cancelled) ch.aside(async (ctx) => ctx.send(cancelled, { originateCancel: Cause.ORIGINATOR_CANCEL }));
        await done();
        return;
      }
      if (phase === 'bridged' && stopBridge) {
        await stopBridge();
        return;
      }
      await finish();
    };
  },
};
