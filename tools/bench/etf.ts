/**
 * `pnpm bench etf`: encode/decode throughput of @beamline/etf beside erlpack (native addon),
 * erlang_js and OTP's own term_to_binary/binary_to_term (timed inside erl), on one corpus of
 * realistic terms. beamline encodes the corpus as the switch builds it (binaries as Uint8Array);
 * each other peer encodes its own decoding of it (its nearest representation of the same terms).
 * All decode the same bytes; MB/s counts the bytes of the OTP-exact encoding, so
 * MB/s and terms/s rank the implementations alike. Writes bench-results/etf.json.
 *
 * A second table sets decoding against its result-allocation floor (_etf_floor.ts), measured in the
 * same run: the time to allocate the objects a decode returns, without parsing. It shows how close
 * beamline is to that floor, and how much of the time a decoder at 0.5× OTP may take the
 * allocation alone uses. (A decoded binary is a `Binary` window, a small object, for this reason:
 * when it was a Uint8Array view, the views alone took most of that budget for events.)
 *
 * OTP is Debian's `erl` (or BEAMLINE_ERL), and also OTP 27 when tools/install-otp27.sh has put it
 * in .otp27 (`pnpm test` does): the releases' C codecs differ, and users run both.
 *
 * args: [--ms N] CPU time per cell (default 800 ms), split in rounds whose best counts.
 *       [--passes N] times every cell of a corpus is measured, beamline, peers, OTP and the decode
 *       floor in turn (default 2); each cell keeps its best pass. On a shared VM a neighbour's burst can halve
 *       every round of one cell for seconds; a second pass some seconds later rarely meets it too.
 *       Each pass runs on one CPU (every implementation on the same one, the next pass on the next
 *       CPU; _pin.ts, Linux): on a 2-vCPU VM one vCPU was seen to run the same copy loop at 0.55×
 *       the speed of the other for a process's whole life, so an unpinned ratio said which CPU
 *       each side happened to land on.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { table as newTable } from './_table.ts';
import { ErlFloat, Pid, Ref, atom, charlist, decode, encode, t, type Term } from '@beamline/etf';
import { erlBinary } from '../erl/erl.ts';
import { otpRelease } from '../erl/node.ts';
import { positiveInt } from './_args.ts';
import { placement } from './_pin.ts';
import { replayOf } from './_etf_floor.ts';
import { erl as erlNeed } from './_needs.ts';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const run = promisify(execFile);

interface Corpus {
  name: string;
  terms: Term[];
}

// ---- corpus ----

function uuid(i: number): string {
  const h = (n: number, w: number) => ((n * 2654435761) >>> 0).toString(16).padStart(8, '0').slice(0, w);
  return `${h(i, 8)}-${h(i + 1, 4)}-${h(i + 2, 4)}-${h(i + 3, 4)}-${h(i + 4, 8)}${h(i + 5, 4)}`;
}

// biome-ignore format: a packed word list, one name per line would be 60 lines
const HEADER_NAMES = [
  'Event-Name', 'Core-UUID', 'FreeSWITCH-Hostname', 'FreeSWITCH-Switchname', 'FreeSWITCH-IPv4', 'FreeSWITCH-IPv6',
  'Event-Date-Local', 'Event-Date-GMT', 'Event-Date-Timestamp', 'Event-Calling-File', 'Event-Calling-Function',
  'Event-Calling-Line-Number', 'Event-Sequence', 'Channel-State', 'Channel-Call-State', 'Channel-State-Number',
  'Channel-Name', 'Unique-ID', 'Call-Direction', 'Presence-Call-Direction', 'Channel-HIT-Dialplan',
  'Channel-Presence-ID', 'Channel-Call-UUID', 'Answer-State', 'Caller-Direction', 'Caller-Logical-Direction',
  'Caller-Username', 'Caller-Dialplan', 'Caller-Caller-ID-Name', 'Caller-Caller-ID-Number', 'Caller-Orig-Caller-ID-Name',
  'Caller-Orig-Caller-ID-Number', 'Caller-Network-Addr', 'Caller-ANI', 'Caller-Destination-Number', 'Caller-Unique-ID',
  'Caller-Source', 'Caller-Context', 'Caller-Channel-Name', 'Caller-Profile-Index', 'Caller-Profile-Created-Time',
  'Caller-Channel-Created-Time', 'Caller-Channel-Answered-Time', 'Caller-Channel-Progress-Time',
  'Caller-Channel-Progress-Media-Time', 'Caller-Channel-Hangup-Time', 'Caller-Channel-Transfer-Time',
  'Caller-Channel-Resurrect-Time', 'Caller-Channel-Bridged-Time', 'Caller-Channel-Last-Hold', 'Caller-Channel-Hold-Accum',
  'Caller-Screen-Bit', 'Caller-Privacy-Hide-Name', 'Caller-Privacy-Hide-Number', 'variable_direction', 'variable_uuid',
  'variable_session_id', 'variable_sip_from_user', 'variable_sip_from_host', 'variable_sip_call_id',
];

function headerValue(name: string, i: number): string {
  if (name.endsWith('Time') || name.endsWith('Timestamp')) return String(1700000000000000 + i * 1013);
  if (name.includes('UUID') || name.includes('Unique-ID') || name === 'variable_uuid') return uuid(i);
  if (name === 'Event-Name') return ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_HANGUP', 'HEARTBEAT'][i % 4];
  if (name.includes('Number') || name.includes('ANI') || name.includes('user')) return String(15550100000 + i);
  if (name.includes('Date')) return '2026-11-27 00:14:15';
  if (name.includes('Name') && name.startsWith('Channel')) return `sofia/internal/${1000 + (i % 50)}@10.0.0.${i % 250}`;
  return `value-${name.length}-${i % 97}`;
}

function event(i: number, text: (s: string) => Term): Term {
  const headers: Term[] = [text(uuid(i))];
  for (const name of HEADER_NAMES) headers.push(t(text(name), text(headerValue(name, i))));
  return t(atom('event'), headers);
}

function buildCorpora(): Corpus[] {
  const binary = (s: string) => new Uint8Array(Buffer.from(s));
  const events = (text: (s: string) => Term) => Array.from({ length: 100 }, (_, i) => event(i, text));
  const node = atom('freeswitch@127.0.0.1');
  const me = atom('ts@127.0.0.1');
  const pid = (n: number, at = node) => new Pid(at, n, 0, 1700000001);
  const ref = (n: number) => new Ref(me, 3, [n, 77, 9]);
  const status =
    'UP 0 years, 2 days, 3 hours, 44 minutes, 12 seconds, 77 milliseconds, 941 microseconds\n' +
    'FreeSWITCH (Version 1.10.11 64bit) is ready\n118 session(s) since startup\n3 session(s) - peak 9, last 5min 4\n';
  const replies: Term[] = [];
  for (let i = 0; i < 50; i++) {
    replies.push(t(atom('ok'), binary(`+OK ${uuid(i)}\n`)));
    replies.push(t(atom('ok'), charlist(status)));
    replies.push(t(atom('error'), charlist('-ERR no reply\n')));
    const rows = `${uuid(i)},inbound,2026-11-27,1700000000,sofia/internal/1000,CS_EXECUTE\n`.repeat(8);
    replies.push(t(atom('ok'), binary(`uuid,direction,created,created_epoch,name,state\n${rows}`)));
  }
  const control: Term[] = [];
  for (let i = 0; i < 50; i++) {
    control.push(t(6, pid(i), atom(''), atom('rex')));
    control.push(t(2, atom(''), pid(i, me)));
    control.push(t(19, pid(i), pid(i + 1, me), ref(i)));
    control.push(t(atom('$gen_call'), t(pid(i), ref(i)), t(atom('api'), atom('status'), atom(''))));
    control.push(t(atom('register_event_handler')));
    control.push(t(atom('ok'), 42, new ErlFloat(1)));
  }
  return [
    { name: 'events (binaries)', terms: events(binary) },
    { name: 'events (charlists)', terms: events(charlist) },
    { name: 'api replies', terms: replies },
    { name: 'control tuples', terms: control },
  ];
}

// ---- measuring ----

interface Cell {
  mbps: number;
  termsPerSec: number;
}

interface Impl {
  name: string;
  /** Prepare the impl's own representation of the corpus; throws when it cannot represent it. */
  prepare(bytes: Buffer[]): { encode: () => void; decode: () => void };
}

/**
 * CPU seconds per pass: after a warm-up, `ROUNDS` rounds of about ms/ROUNDS of CPU time each; the
 * best round counts. CPU time rather than wall time, and the best round, because development and
 * CI machines are shared: other load must not decide the result. erl is measured the same way
 * (one scheduler, no busy-waiting, `statistics(runtime)`).
 */
const ROUNDS = 8;
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}
function timePass(pass: () => void, ms: number): number {
  const warm = cpuMs();
  while (cpuMs() - warm < ms / 4) pass();
  let best = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    let n = 0;
    const start = cpuMs();
    let elapsed = 0;
    do {
      pass();
      n++;
      elapsed = cpuMs() - start;
    } while (elapsed < ms / ROUNDS);
    best = Math.min(best, elapsed / 1000 / n);
  }
  return best;
}

function cell(secondsPerPass: number, bytes: number, terms: number): Cell {
  return { mbps: bytes / secondsPerPass / 1e6, termsPerSec: terms / secondsPerPass };
}

function faster(a: Cell | undefined, b: Cell): Cell {
  return a !== undefined && a.mbps >= b.mbps ? a : b;
}

function loadPeer(name: string): unknown {
  try {
    return require(name);
  } catch {
    return undefined;
  }
}

function implementations(corpus: Term[]): Impl[] {
  const impls: Impl[] = [
    {
      name: 'beamline',
      prepare: (bytes) => ({
        encode: () => {
          for (const x of corpus) encode(x);
        },
        decode: () => {
          for (const b of bytes) decode(b);
        },
      }),
    },
  ];
  const erlpack = loadPeer('erlpack') as { pack(x: unknown): Buffer; unpack(b: Uint8Array): unknown } | undefined;
  if (erlpack) {
    impls.push({
      name: 'erlpack',
      prepare: (bytes) => {
        // erlpack reads only latin-1 ATOM_EXT atoms (OTP 25's default form): give it that form.
        const v1 = corpus.map((x) => Buffer.from(encode(x, { minorVersion: 1 })));
        const own = v1.map((b) => erlpack.unpack(b));
        void bytes;
        return {
          encode: () => {
            for (const x of own) erlpack.pack(x);
          },
          decode: () => {
            for (const b of v1) erlpack.unpack(b);
          },
        };
      },
    });
  }
  const erlangJs = loadPeer('erlang_js') as
    | {
        Erlang: {
          binary_to_term(b: Buffer, cb: (e: unknown, t: unknown) => void): void;
          term_to_binary(t: unknown, cb: (e: unknown, b: Buffer) => void): void;
        };
      }
    | undefined;
  if (erlangJs) {
    const E = erlangJs.Erlang;
    impls.push({
      name: 'erlang_js',
      prepare: (bytes) => {
        const own = bytes.map((b) => {
          let out: unknown;
          E.binary_to_term(b, (e, x) => {
            if (e) throw e;
            out = x;
          });
          return out;
        });
        for (const x of own) {
          E.term_to_binary(x, (e) => {
            if (e) throw e;
          });
        }
        const sink = (e: unknown) => {
          if (e) throw e;
        };
        return {
          encode: () => {
            for (const x of own) E.term_to_binary(x, sink);
          },
          decode: () => {
            for (const b of bytes) E.binary_to_term(b, sink);
          },
        };
      },
    });
  }
  return impls;
}

/** An OTP whose C codec is an anchor: `erl`'s path and the column's name ("OTP 25"). */
interface Otp {
  erl: string;
  name: string;
}

/** The default erl, and the private OTP 27 of tools/install-otp27.sh when it is there and is another release. */
async function anchors(): Promise<Otp[]> {
  const out = [{ erl: erlBinary, name: `OTP ${await otpRelease(erlBinary)}` }];
  const otp27 = resolve(here, '../../.otp27/root/usr/lib/erlang/bin/erl');
  if (existsSync(otp27)) {
    try {
      const name = `OTP ${await otpRelease(otp27)}`;
      if (!out.some((o) => o.name === name)) out.push({ erl: otp27, name });
    } catch (e) {
      process.stderr.write(`${otp27} does not start (${(e as Error).message}): measured against ${out[0]!.name} only\n`);
    }
  }
  return out;
}

async function otpTimes(erl: string, bytes: Buffer[], ms: number, dir: string, name: string): Promise<{ enc: number; dec: number }> {
  const file = join(dir, `${name.replace(/\W+/g, '_')}.bin`);
  const chunks: Buffer[] = [];
  for (const b of bytes) {
    const head = Buffer.alloc(4);
    head.writeUInt32BE(b.length);
    chunks.push(head, b);
  }
  writeFileSync(file, Buffer.concat(chunks));
  const source = resolve(here, '../erl/etf_bench.erl');
  const script =
    `{ok, M, Bin} = compile:file(${JSON.stringify(source)}, [binary, report]),` +
    `{module, M} = code:load_binary(M, ${JSON.stringify(source)}, Bin),` +
    `etf_bench:main([${JSON.stringify(file)}, "${ms}"]), halt().`;
  const flags = ['+S', '1:1', '+SDcpu', '1:1', '+SDio', '1', '+sbwt', 'none', '+sbwtdcpu', 'none', '+sbwtdio', 'none'];
  const { stdout } = await run(erl, [...flags, '-noshell', '-eval', script], { timeout: 120_000 });
  const [enc, dec] = stdout.trim().split(/\s+/).map(Number);
  return { enc: enc / 1e9, dec: dec / 1e9 };
}

interface Floor {
  /** µs per term: allocating the decoded objects without parsing. */
  floorUs: number;
  beamlineUs?: number;
  beamlineOverFloor?: number;
  /** Per OTP: its decode, the µs per term of a decoder at 0.5× of it, and the floor's share of that. */
  otp: Record<string, { otpUs: number; budgetUs: number; floorOverBudget: number }>;
}

function floorRow(floor: Cell, beamline: Cell | undefined, otps: [string, Cell | undefined][]): Floor {
  const us = (c: Cell) => 1e6 / c.termsPerSec;
  const floorUs = us(floor);
  const out: Floor = { floorUs, otp: {} };
  if (beamline) {
    out.beamlineUs = us(beamline);
    out.beamlineOverFloor = out.beamlineUs / floorUs;
  }
  for (const [name, otp] of otps) {
    if (otp === undefined) continue;
    const otpUs = us(otp);
    out.otp[name] = { otpUs, budgetUs: 2 * otpUs, floorOverBudget: floorUs / (2 * otpUs) };
  }
  return out;
}

function show(c: Cell | undefined): string {
  if (c === undefined) return 'n/a';
  const k = c.termsPerSec >= 1e6 ? `${(c.termsPerSec / 1e6).toFixed(2)}M` : `${(c.termsPerSec / 1e3).toFixed(1)}k`;
  return `${c.mbps.toFixed(1)} MB/s\n${k} terms/s`;
}

function ratio(a: Cell | undefined, b: Cell | undefined): string {
  return a && b ? `${(a.mbps / b.mbps).toFixed(2)}×` : 'n/a';
}

export const needs = [erlNeed];

export async function main(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { ms: { type: 'string', default: '800' }, passes: { type: 'string', default: '2' } },
  });
  const ms = positiveInt('--ms', values.ms);
  const passes = positiveInt('--passes', values.passes);
  const corpora = buildCorpora();
  const dir = mkdtempSync(join(tmpdir(), 'etf-bench-'));
  const results: Record<string, Record<string, { encode?: Cell; decode?: Cell; note?: string }>> = {};
  const floors: Record<string, Floor> = {};
  const otps = await anchors();
  const names = ['beamline', 'erlpack', 'erlang_js', ...otps.map((o) => o.name)];
  const pins = await placement();

  for (const corpus of corpora) {
    const bytes = corpus.terms.map((x) => Buffer.from(encode(x)));
    const total = bytes.reduce((n, b) => n + b.length, 0);
    const n = corpus.terms.length;
    const row: (typeof results)[string] = {};
    const keep = (name: string, encode: Cell, decode: Cell) => {
      const was = row[name];
      row[name] = { encode: faster(was?.encode, encode), decode: faster(was?.decode, decode) };
    };
    // a failed pass leaves what an earlier pass measured
    const failed = (name: string, note: string) => {
      if (row[name]?.encode === undefined) row[name] = { note };
    };
    const replays = bytes.map((b) => replayOf(decode(b), b));
    let floor: Cell | undefined;
    for (let pass = 0; pass < passes; pass++) {
      await pins?.pinSelf(pins.cpus[pass % pins.cpus.length]);
      for (const impl of implementations(corpus.terms)) {
        try {
          const ops = impl.prepare(bytes);
          keep(impl.name, cell(timePass(ops.encode, ms), total, n), cell(timePass(ops.decode, ms), total, n));
        } catch (e) {
          failed(impl.name, `unsupported: ${(e as Error).message}`);
        }
      }
      for (const o of otps) {
        try {
          const otp = await otpTimes(o.erl, bytes, ms, dir, corpus.name);
          keep(o.name, cell(otp.enc, total, n), cell(otp.dec, total, n));
        } catch (e) {
          failed(o.name, `erl failed: ${(e as Error).message}`);
        }
      }
      const replayAll = () => {
        for (const r of replays) r.replay();
      };
      floor = faster(floor, cell(timePass(replayAll, ms), total, n));
    }
    await pins?.pinSelf(undefined);
    results[corpus.name] = row;
    floors[corpus.name] = floorRow(
      floor!,
      row.beamline?.decode,
      otps.map((o) => [o.name, row[o.name]?.decode]),
    );
    process.stderr.write(`measured ${corpus.name} (${n} terms, ${total} bytes)\n`);
  }

  const table = newTable({
    head: ['corpus', 'op', ...names, 'vs erlpack', 'vs erlang_js', ...otps.map((o) => `vs ${o.name}`)],
  });
  for (const corpus of corpora) {
    const row = results[corpus.name];
    for (const op of ['encode', 'decode'] as const) {
      const mine = row.beamline?.[op];
      table.push([
        corpus.name,
        op,
        ...names.map((n) => show(row[n]?.[op])),
        ratio(mine, row.erlpack?.[op]),
        ratio(mine, row.erlang_js?.[op]),
        ...otps.map((o) => ratio(mine, row[o.name]?.[op])),
      ]);
    }
  }
  console.log(table.toString());
  console.log('MB/s counts the bytes of the OTP-exact encoding of each corpus; ratios are beamline ÷ peer (>1 means beamline is faster).');
  const floorTable = newTable({
    head: ['corpus', 'alloc floor', 'beamline decode', 'beamline ÷ floor', ...otps.flatMap((o) => [`${o.name} decode`, 'floor ÷ budget'])],
  });
  for (const corpus of corpora) {
    const f = floors[corpus.name];
    const us = (x: number | undefined) => (x === undefined ? 'n/a' : `${x.toFixed(3)} µs`);
    const times = (x: number | undefined) => (x === undefined ? 'n/a' : `${x.toFixed(2)}×`);
    const pct = (x: number | undefined) => (x === undefined ? 'n/a' : `${(100 * x).toFixed(0)}%`);
    floorTable.push([
      corpus.name,
      us(f.floorUs),
      us(f.beamlineUs),
      times(f.beamlineOverFloor),
      ...otps.flatMap((o) => [us(f.otp[o.name]?.otpUs), pct(f.otp[o.name]?.floorOverBudget)]),
    ]);
  }
  console.log('\nDecode against its result-allocation floor (µs per term): allocating the decoded objects without parsing.');
  console.log(floorTable.toString());
  console.log(
    'beamline ÷ floor: decode time over the floor (1.00× would be parsing for free). floor ÷ budget: the share of the time\n' +
      'a decoder at 0.5× that OTP may take (twice its decode) that the allocation alone takes (what is left is all it has for parsing).',
  );
  for (const corpus of corpora) {
    for (const n of names) {
      const note = results[corpus.name][n]?.note;
      if (note) console.log(`${corpus.name} / ${n}: ${note}`);
    }
  }

  const outDir = resolve(here, '../../bench-results');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(
    join(outDir, 'etf.json'),
    JSON.stringify({ date: new Date().toISOString(), node: process.version, erl: otps, msPerCell: ms, results, decodeFloor: floors }, null, 2),
  );
}
