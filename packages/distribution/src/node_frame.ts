/**
 * The node half's inbound path (transport `onFrame`): decode the control term and the payload
 * straight from the frame, in one pass, and hand the control message to the router. What the
 * transport no longer checks (term boundaries, the payload's 131, trailing bytes) is checked here;
 * any of it wrong closes the connection, with a BadFrameError that says whether the control
 * message or the payload was bad and how (the router's `receive` owns closing, logging, counting).
 *
 * Terms are decoded without a nesting limit, as OTP does: a payload nested a million levels deep
 * (an ordinary accumulator) is a message like any other. Its size is bounded by the frame's.
 * Binaries are copied out of the frame (`copyBinaries`): the transport reuses its buffers.
 */
import { type Atom, type DecodeOptions, decodeAt, type Term } from '@beamline/etf';
import { BadFrameError, decodePart } from './control.ts';
import type { Router } from './router.ts';
import type { FrameHandler } from './transport.ts';

const COPY = { copyBinaries: true } as const;

/** Control and payload terms of a frame; throws a BadFrameError on anything but exactly one or two terms. */
export function decodeFrameTerms(
  bytes: Uint8Array,
  start: number,
  versioned: boolean,
  atoms?: readonly Atom[],
): [control: Term, payload: Term | undefined] {
  const opts: DecodeOptions = atoms === undefined ? COPY : { copyBinaries: true, atomCache: atoms };
  let p = start;
  if (versioned && bytes[p++] !== 131) throw new BadFrameError('control message', 'malformed', 'it lacks the 131 version byte');
  const c0 = p;
  const ctl = decodePart('control message', c0, () => decodeAt(bytes, c0, opts));
  p = ctl.next;
  if (p === bytes.length) return [ctl.term, undefined];
  if (versioned && bytes[p++] !== 131) throw new BadFrameError('payload', 'malformed', 'it lacks the 131 version byte');
  const p0 = p;
  const msg = decodePart('payload', p0, () => decodeAt(bytes, p0, opts));
  if (msg.next !== bytes.length) throw new BadFrameError('payload', 'malformed', `${bytes.length - msg.next} trailing bytes after it`);
  return [ctl.term, msg.term];
}

/**
 * The transport's `onFrame` for a node: `router.receive` (counters, errors, closing) fed by one
 * parse. `_logger` is unused (the router logs through its own, the same one); kept for callers.
 */
export function frameHandler(router: Router): FrameHandler {
  return (conn, bytes, start, versioned, atoms) => router.receive(conn, () => decodeFrameTerms(bytes, start, versioned, atoms));
}
