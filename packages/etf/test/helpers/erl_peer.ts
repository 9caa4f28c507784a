/** Runs tools/erl/etf_interop.erl in a real `erl` (the one `erlBinary` names). */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { erlBinary } from '../../../../tools/erl/erl.ts';

const run = promisify(execFile);
const source = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../tools/erl/etf_interop.erl');

/** Calls `etf_interop:main(Args)` in a fresh erl. */
export async function etfInterop(args: string[]): Promise<void> {
  const argList = `[${args.map((a) => JSON.stringify(a)).join(',')}]`;
  const script =
    `{ok, M, Bin} = compile:file(${JSON.stringify(source)}, [binary, report]),` +
    `{module, M} = code:load_binary(M, ${JSON.stringify(source)}, Bin),` +
    `etf_interop:main(${argList}), halt().`;
  await run(erlBinary, ['-noshell', '-eval', script], { maxBuffer: 16 * 1024 * 1024, timeout: 60_000 });
}

export function scratchDir(): string {
  return mkdtempSync(join(tmpdir(), 'etf-interop-'));
}

/** Splits a file of <<Len:32, Bytes>> records. */
export function readRecords(file: string): Uint8Array[] {
  const data = readFileSync(file);
  const out: Uint8Array[] = [];
  let p = 0;
  while (p < data.length) {
    const len = data.readUInt32BE(p);
    out.push(new Uint8Array(data.subarray(p + 4, p + 4 + len)));
    p += 4 + len;
  }
  return out;
}

/** The OTP release of `erlBinary`, e.g. 25. */
export async function otpRelease(): Promise<number> {
  const { stdout } = await run(erlBinary, ['-noshell', '-eval', 'io:format("~s", [erlang:system_info(otp_release)]), halt().']);
  return Number(stdout.trim());
}
