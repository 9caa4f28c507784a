/** The pure parts of the outbound half: application arguments (spec §3.1, §3.7) and the session machine's transitions. */
import { Pid, atom } from '@beamline/etf';
import { describe, expect, it } from 'vitest';
import { getInitialSnapshot, getNextSnapshot, initialTransition, transition } from 'xstate';
import { parseConfig } from '../src/config.ts';
import { parseErlangArgs, parseSendmsgArgs, parseTarget } from '../src/outbound/args.ts';
import { type SessionEvent, type SessionInput, sessionMachine } from '../src/outbound/session_machine.ts';

describe('erlang application arguments', () => {
  it('module:function, module:! and registered names (one part, or 3+ parts)', () => {
    expect(parseTarget('myhandler:launch')).toEqual({ kind: 'rpc', module: 'myhandler', function: 'launch' });
    expect(parseTarget('myhandler:!')).toEqual({ kind: 'get_pid', module: 'myhandler' });
    expect(parseTarget('myhandler')).toEqual({ kind: 'registered', name: 'myhandler' });
    expect(parseTarget('a:b:c')).toEqual({ kind: 'registered', name: 'a:b:c' });
    expect(parseTarget('mod:')).toEqual({ kind: 'rpc', module: 'mod', function: '' });
  });
  it('fewer than two fields is the original parse error; extra fields are ignored; quotes respected', () => {
    expect(parseErlangArgs('myhandler')).toEqual({ ok: false, error: 'Parse Error - need registered name and node!' });
    expect(parseErlangArgs('')).toMatchObject({ ok: false });
    expect(parseErlangArgs('myhandler  n@h extra')).toEqual({ ok: true, value: { target: { kind: 'registered', name: 'myhandler' }, node: 'n@h' } });
    expect(parseErlangArgs("'my handler' n@h")).toEqual({ ok: true, value: { target: { kind: 'registered', name: 'my handler' }, node: 'n@h' } });
  });
  it('erlang_sendmsg: at most three fields, the message keeps its spaces', () => {
    expect(parseSendmsgArgs('reg n@h hello  world')).toEqual({ ok: true, value: { name: 'reg', node: 'n@h', message: 'hello  world' } });
    expect(parseSendmsgArgs('reg n@h')).toMatchObject({ ok: false });
  });
});

const pid = new Pid(atom('t@h'), 1, 0, 1);
const input = (o: Partial<SessionInput> = {}): SessionInput => ({
  uuid: 'u',
  kind: 'get_pid',
  outbound: true,
  policy: 'hangup',
  pidTimeoutMs: 5000,
  queueCapacity: 2,
  ...o,
});
const run = (i: SessionInput, events: SessionEvent[]) => {
  let snap = getInitialSnapshot(sessionMachine, i);
  for (const e of events) snap = getNextSnapshot(sessionMachine, snap, e);
  return snap;
};
const ev = (n: number): SessionEvent => ({ type: 'event', term: n });

describe('the session machine', () => {
  it('a handler known at once goes to attached; a factory target waits for the pid', () => {
    expect(run(input({ kind: 'registered', handler: atom('reg') }), []).value).toEqual({ attached: 'announcing' });
    expect(run(input(), []).value).toBe('waiting_for_pid');
  });
  it('events before {call} wait in a bounded queue; the overflow is counted', () => {
    const s = run(input(), [ev(1), ev(2), ev(3)]);
    expect(s.context.queue).toEqual([1, 2]);
    expect(s.context.lost).toBe(1);
  });
  it('pid → attached; call_data → live with the queue handed over; destroyed → done (through draining)', () => {
    let s = run(input(), [ev(1), { type: 'pid', pid }]);
    expect(s.value).toEqual({ attached: 'announcing' });
    expect(s.context.handler).toBe(pid);
    s = getNextSnapshot(sessionMachine, s, { type: 'call_data', headers: [['A', 'b']] });
    expect(s.value).toEqual({ attached: 'live' });
    expect(s.context.queue).toEqual([]);
    s = getNextSnapshot(sessionMachine, s, { type: 'destroyed' });
    expect(s.status).toBe('done');
  });
  it('the session gone before {call}: done without a hangup message', () => {
    expect(
      run(input(), [
        { type: 'pid', pid },
        { type: 'call_data', headers: undefined },
      ]).status,
    ).toBe('done');
  });
  it('handler exit: respawn waits for a new pid (factory targets only), keep and hangup end the attachment', () => {
    const live: SessionEvent[] = [{ type: 'pid', pid }, { type: 'call_data', headers: [] }, { type: 'handler_exit' }];
    expect(run(input({ policy: 'respawn' }), live).value).toBe('waiting_for_pid');
    expect(run(input({ policy: 'respawn' }), live).context.handler).toBeUndefined();
    expect(run(input({ policy: 'keep' }), live).status).toBe('done');
    expect(run(input({ policy: 'hangup' }), live).status).toBe('done');
    expect(run(input({ policy: 'respawn', kind: 'handlecall', handler: pid, outbound: false }), live.slice(1)).status).toBe('done');
  });
});

describe('the session machine: the node goes', () => {
  it('keep orphans the call; hangup and respawn also hang it up (no factory to ask on a lost node)', () => {
    for (const policy of ['keep', 'hangup', 'respawn'] as const) {
      const s = run(input({ policy }), [
        { type: 'pid', pid },
        { type: 'call_data', headers: [] },
      ]);
      const [next, actions] = transition(sessionMachine, s, { type: 'listener_down' });
      expect(next.status).toBe('done');
      expect(actions.map((a) => a.type).filter((t) => t === 'orphan' || t === 'hangupCall')).toEqual(
        policy === 'keep' ? ['orphan'] : ['orphan', 'hangupCall'],
      );
    }
  });
});

describe('erlang_event.conf: the outbound params', () => {
  const logs: string[] = [];
  const env = { hostname: 'h', home: undefined, readCookieFile: () => undefined, log: (_l: string, text: string) => void logs.push(text) };
  it('outbound-exit-policy keep | hangup | respawn (default hangup); outbound-connect-timeout in ms (default 5000)', () => {
    expect(parseConfig([], env)).toMatchObject({ outboundExitPolicy: 'hangup', outboundConnectTimeoutMs: 5000 });
    expect(
      parseConfig(
        [
          ['outbound-exit-policy', 'respawn'],
          ['outbound-connect-timeout', '250'],
        ],
        env,
      ),
    ).toMatchObject({ outboundExitPolicy: 'respawn', outboundConnectTimeoutMs: 250 });
    expect(parseConfig([['outbound-exit-policy', 'explode']], env).outboundExitPolicy).toBe('hangup');
    expect(logs).toContain("Invalid outbound-exit-policy 'explode' (keep | hangup | respawn)");
  });
});

describe('the session machine: a handler by registered name, the module stopping', () => {
  const names = (actions: readonly { type: string }[], of: readonly string[]) => actions.map((a) => a.type).filter((t) => of.includes(t));
  it('a registered handler of the erlang application is watched (monitored by name) on attaching; handlecall’s and factories’ are not', () => {
    const watched = (i: SessionInput) => names(initialTransition(sessionMachine, i)[1], ['watchHandler', 'linkHandler']);
    expect(watched(input({ kind: 'registered', handler: atom('reg') }))).toEqual(['watchHandler']);
    expect(initialTransition(sessionMachine, input({ kind: 'registered', handler: atom('reg') }))[0].value).toEqual({ attached: 'announcing' });
    expect(watched(input({ kind: 'handlecall', handler: atom('reg'), outbound: false }))).toEqual([]);
    expect(watched(input())).toEqual([]);
  });
  it('unload: a gone call is told call_hangup; a live one is hung up and told (hangup, respawn) or orphaned (keep); waiting for a pid, nobody is told', () => {
    const live = (policy: SessionInput['policy']) =>
      run(input({ policy }), [
        { type: 'pid', pid },
        { type: 'call_data', headers: [] },
      ]);
    const of = ['orphan', 'hangupCall', 'sendCallHangup'];
    for (const policy of ['keep', 'hangup', 'respawn'] as const) {
      const [gone, goneActions] = transition(sessionMachine, live(policy), { type: 'unload', callGone: true });
      expect(gone.status).toBe('done');
      expect(names(goneActions, of)).toEqual(['sendCallHangup']);
      const [up, upActions] = transition(sessionMachine, live(policy), { type: 'unload', callGone: false });
      expect(up.status).toBe('done');
      expect(names(upActions, of)).toEqual(policy === 'keep' ? ['orphan'] : ['hangupCall', 'sendCallHangup']);
    }
    const [w, wActions] = transition(sessionMachine, run(input(), []), { type: 'unload', callGone: false });
    expect(w.status).toBe('done');
    expect(names(wActions, of)).toEqual(['orphan', 'hangupCall']);
  });
});
