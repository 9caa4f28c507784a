/**
 * The dialplan applications `erlang` and `erlang_sendmsg` (spec §3.1, §3.7).
 *
 * `erlang <target> <node>`: the listener for `<node>` (connecting out, bounded), then the call is
 * attached; in `module:!` and `module:function` mode the application waits for the handler's pid
 * (5 s; none → the session hangs the call up with DESTINATION_OUT_OF_ORDER), then parks the call.
 * A bad argument, a node that cannot be reached, or a call already attached elsewhere by another
 * controller ends the application and the dialplan goes on.
 */
import { type Term, atom, t } from '@beamline/etf';
import { type Application, Cause, DPTOOLS, type Interrupter } from '@beamline/switch';
import type { Encoding } from '../config.ts';
import { s } from '../encode.ts';
import { parseErlangArgs, parseSendmsgArgs } from './args.ts';
import type { CallListener } from './call_control.ts';
import type { OutboundCalls } from './sessions.ts';

export interface ApplicationsHost {
  readonly calls: OutboundCalls;
  readonly config: { readonly encoding: Encoding };
  listenerFor(peer: string, timeoutMs: number): Promise<CallListener | undefined>;
  sendAsFs(to: readonly [name: string, node: string], term: Term): void;
}

/** How the wait for the call's handler ended. */
type Handshake = 'handled' | 'timed_out' | 'skipped';

const park = DPTOOLS.find((a) => a.name === 'park') as Application;

export function outboundApplications(host: ApplicationsHost): Application[] {
  const erlang: Application = {
    name: 'erlang',
    run: async (ch, data, done) => {
      const args = parseErlangArgs(data);
      if (!args.ok) {
        ch.core.log('ERR', args.error, ch.uuid);
        await done();
        return undefined;
      }
      const { target, node } = args.value;
      // The connect and the handshake wait in a process aside, as FreeSWITCH's session thread
      // waits while the API thread goes on: meanwhile the channel's process answers originate
      // (its +OK), uuid_getvar or a hangup, and the application is still running.
      let waiting = true;
      let parked: Interrupter | undefined;
      const stopWaiting = async () => {
        if (!waiting) return;
        waiting = false;
        await done();
      };
      ch.aside(
        async (): Promise<Handshake> => {
          try {
            const listener = await host.listenerFor(node, host.calls.connectTimeoutMs);
            if (!listener || ch.hungUp) return 'skipped';
            const known = host.calls.attachmentOf(listener, ch.uuid);
            return (await (known ? known.handled : host.calls.attachOutbound(listener, ch.uuid, target))) ? 'handled' : 'timed_out';
          } catch (err) {
            ch.core.log('ERR', `erlang ${data}: ${String(err)}`, ch.uuid);
            return 'skipped';
          }
        },
        async (outcome) => {
          if (!waiting) return;
          // no handler within the handshake's time (spec §3.2)
          if (outcome === 'timed_out' && !ch.hungUp) await ch.send({ type: 'HANGUP', cause: Cause.DESTINATION_OUT_OF_ORDER });
          if (outcome !== 'handled' || ch.hungUp) return stopWaiting();
          waiting = false;
          parked = (await park.run(ch, '', done)) ?? undefined;
        },
      );
      return () => (parked ? parked() : stopWaiting());
    },
  };
  const erlangSendmsg: Application = {
    name: 'erlang_sendmsg',
    run: async (ch, data, done) => {
      const args = parseSendmsgArgs(data);
      if (!args.ok) ch.core.log('ERR', args.error, ch.uuid);
      else {
        const { name, node, message } = args.value;
        const listener = await host.listenerFor(node, host.calls.connectTimeoutMs);
        if (listener) host.sendAsFs([name, node], t(atom('freeswitch_sendmsg'), s(message, host.config.encoding)));
      }
      await done();
      return undefined;
    },
  };
  return [erlang, erlangSendmsg];
}
