/** The connection lifecycle machine (pure transitions). */
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { connectionMachine } from '../src/connection_machine.ts';

const start = (initiator: boolean) => {
  const a = createActor(connectionMachine, { input: { initiator, peerName: initiator ? 'p@h' : undefined } });
  a.start();
  return a;
};

describe('connection machine', () => {
  it('initiator: connecting → handshaking → up → down', () => {
    const a = start(true);
    expect(a.getSnapshot().value).toBe('connecting');
    a.send({ type: 'TCP_UP' });
    expect(a.getSnapshot().value).toBe('handshaking');
    a.send({ type: 'STEP', step: 'recv_status' });
    expect(a.getSnapshot().context.step).toBe('recv_status');
    a.send({ type: 'HANDSHAKE_OK', peerName: 'p@h' });
    expect(a.getSnapshot().value).toBe('up');
    a.send({ type: 'DOWN', reason: { kind: 'tick_timeout' } });
    expect(a.getSnapshot().value).toBe('down');
    expect(a.getSnapshot().status).toBe('done');
    expect(a.getSnapshot().context.downReason).toEqual({ kind: 'tick_timeout' });
  });

  it('acceptor starts in handshaking and learns the peer name', () => {
    const a = start(false);
    expect(a.getSnapshot().value).toBe('handshaking');
    a.send({ type: 'PEER_NAMED', peerName: 'x@h' });
    expect(a.getSnapshot().context.peerName).toBe('x@h');
  });

  it('failures are final; events that do not apply are ignored', () => {
    const a = start(true);
    a.send({ type: 'HANDSHAKE_OK', peerName: 'p@h' }); // not before TCP_UP
    expect(a.getSnapshot().value).toBe('connecting');
    a.send({ type: 'FAIL', failure: 'connect_failed' });
    expect(a.getSnapshot().value).toBe('failed');
    expect(a.getSnapshot().context.failure).toBe('connect_failed');
    const b = start(false);
    b.send({ type: 'DOWN', reason: { kind: 'closed' } }); // not up yet
    expect(b.getSnapshot().value).toBe('handshaking');
    b.send({ type: 'FAIL', failure: 'bad_cookie' });
    expect(b.getSnapshot().value).toBe('failed');
  });
});
