/**
 * `io:format/1,2`, `fwrite/1,2`, `put_chars/1`, `nl/0` and `write/1` over rpc: as on erl, the
 * output goes to the caller's group leader, which erpc and rex hand to the process serving the
 * call. The request is the io protocol's (`{put_chars, unicode, io_lib, format, [Format, Args]}`),
 * so the caller's io server formats it: `rpc:call(N, io, format, ["~p~n", [x]])` prints `x` in
 * the caller's shell. An io server's `{error, R}` is io's `badarg` (cause `{device, R}`); a call
 * with no group leader to write to (not from a peer), or one that dies, is `terminated`.
 */
import { Binary, ErlMap, Ref, Tuple, atom, charlist, t, type Term } from '@beamline/etf';
import { DOWN, refEquals, type ProcessContext } from '@beamline/core';
import { ArgsError, type CallContext, type ModuleExports } from './exports.ts';
import { callOrigin } from './call_origin.ts';

const A_IO_REPLY = atom('io_reply');
const A_TERMINATED = atom('terminated');
const PUT_CHARS = [atom('put_chars'), atom('unicode')] as const;

/** io:request's round trip; `terminated` when there is no group leader or it dies first. */
async function ioRequest(ctx: ProcessContext, request: Tuple): Promise<Term> {
  const gl = callOrigin(ctx).groupLeader;
  if (gl === undefined) return A_TERMINATED;
  const mref = ctx.monitor(gl);
  ctx.send(gl, t(atom('io_request'), ctx.self, mref, request));
  const isOurs = (m: unknown): m is Tuple =>
    m instanceof Tuple && (m.elements[0] === A_IO_REPLY || m.elements[0] === DOWN) && m.elements[1] instanceof Ref && refEquals(m.elements[1], mref);
  const msg = (await ctx.receive(isOurs)) as Tuple;
  if (msg.elements[0] === DOWN) return A_TERMINATED;
  ctx.demonitor(mref, { flush: true });
  return msg.elements[2] as Term;
}

/** io's o_request: ok, or `error(Reason, Args, [{error_info, ...}])` as io raises it. */
function ioFunction(request: (args: Term[]) => Tuple) {
  return async function (this: CallContext, ...args: Term[]): Promise<Term> {
    const reply = await ioRequest(this.process as ProcessContext, request(args));
    const failed =
      reply === A_TERMINATED
        ? t(atom('io'), A_TERMINATED)
        : reply instanceof Tuple && reply.elements[0] === atom('error')
          ? t(atom('device'), reply.elements[1] as Term)
          : undefined;
    if (failed === undefined) return reply;
    const reason = reply === A_TERMINATED ? A_TERMINATED : atom('badarg');
    throw new ArgsError(
      reason,
      new ErlMap([
        [atom('cause'), failed],
        [atom('module'), atom('erl_stdlib_errors')],
      ]),
    );
  };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Chardata as the text io:put_chars sends (OTP 27 sends it as one UTF-8 binary, which a JS
 * string is on the wire), or undefined when it is not chardata: then it goes as it is, and the
 * io server refuses it.
 */
function chardata(x: Term): string | undefined {
  if (typeof x === 'string') return x;
  if (x instanceof Binary) {
    try {
      return utf8.decode(x.bytes);
    } catch {
      return undefined;
    }
  }
  if (typeof x === 'number')
    return Number.isInteger(x) && x >= 0 && x <= 0x10ffff && !(x >= 0xd800 && x <= 0xdfff) ? String.fromCodePoint(x) : undefined;
  if (!Array.isArray(x)) return undefined;
  let out = '';
  for (const e of x) {
    const part = chardata(e as Term);
    if (part === undefined) return undefined;
    out += part;
  }
  return out;
}

const format = (args: Term[]) => t(...PUT_CHARS, atom('io_lib'), atom('format'), [args[0] as Term, (args[1] ?? []) as Term]);

export function ioBifs(): ModuleExports {
  return {
    'format/1': ioFunction(format),
    'format/2': ioFunction(format),
    'fwrite/1': ioFunction(format),
    'fwrite/2': ioFunction(format),
    'put_chars/1': ioFunction(([chars]) => t(...PUT_CHARS, (chardata(chars as Term) ?? chars) as Term)),
    'nl/0': ioFunction(() => t(...PUT_CHARS, charlist('\n'))),
    'write/1': ioFunction(([term]) => t(...PUT_CHARS, atom('io_lib'), atom('write'), [term as Term])),
  };
}
