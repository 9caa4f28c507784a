/**
 * The node half's inbound path (transport `onFrame`): decode the control term and the payload
 * straight from the frame, in one pass, and hand the control message to the router. What the
 * transport no longer checks (term boundaries, the payload's 131, trailing bytes) is checked here;
 * any of it wrong closes the connection, like an undecodable control message (the router's
 * `receive` owns that, and the counters).
 */
import { decodeAt, type Term } from '@beamline/etf';
import type { Router } from './router.ts';
import type { FrameHandler } from './transport.ts';

class FrameTermsError extends Error {}

/** Control and payload terms of a frame; throws on anything but exactly one or two terms. */
export function decodeFrameTerms(bytes: Uint8Array, start: number, versioned: boolean): [control: Term, payload: Term | undefined] {
  let p = start;
  if (versioned && bytes[p++] !== 131) throw new FrameTermsError('control term lacks the 131 version byte');
  const ctl = decodeAt(bytes, p);
  p = ctl.next;
  if (p === bytes.length) return [ctl.term, undefined];
  if (versioned && bytes[p++] !== 131) throw new FrameTermsError('payload term lacks the 131 version byte');
  const msg = decodeAt(bytes, p);
  if (msg.next !== bytes.length) throw new FrameTermsError(`${bytes.length - msg.next} trailing bytes after the payload term`);
  return [ctl.term, msg.term];
}

/**
 * The transport's `onFrame` for a node: `router.receive` (counters, errors, closing) fed by one
 * parse. `_logger` is unused (the router logs through its own, the same one); kept for callers.
 */
export function frameHandler(router: Router): FrameHandler {
  return (conn, bytes, start, versioned) => router.receive(conn, () => decodeFrameTerms(bytes, start, versioned));
}
