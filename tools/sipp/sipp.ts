/**
 * Runs SIPp (Debian's sip-tester, the real SIP peer of the sofia interop tests) on one of the
 * scenarios in ./scenarios, against 127.0.0.1 only. `[name]` placeholders the scenario uses that
 * SIPp does not know (domain, caller, expect, expires, hold, the audio port, codec and capture) are filled in here; SIPp's own
 * keywords are left to it. Resolves with the exit code (0: every call passed) and what SIPp printed.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

/** SIPp; BEAMLINE_SIPP names another binary. */
export const sippBinary: string = process.env.BEAMLINE_SIPP ?? 'sipp';

const SCENARIOS = join(dirname(fileURLToPath(import.meta.url)), 'scenarios');

export interface SippRun {
  readonly scenario:
    | 'register'
    | 'register_tcp'
    | 'register_tcp_stay'
    | 'register_call_tcp'
    | 'call'
    | 'call_hold'
    | 'call_dtmf'
    | 'call_cancel'
    | 'call_refused'
    | 'call_refer'
    | 'call_attended'
    | 'call_replaces'
    | 'call_replaces_refused'
    | 'call_info'
    | 'call_late_offer'
    | 'call_late_offer_refused'
    | 'call_late_offer_unanswered'
    | 'uas_answer'
    | 'uas_auth'
    | 'uas_busy'
    | 'uas_hold'
    | 'uas_options'
    | 'uas_redirect'
    | 'uas_refuse'
    | 'uas_register'
    | 'uas_ring';
  /** The switch's SIP port on 127.0.0.1 (a uas_ scenario waits for calls instead). */
  readonly port?: number;
  /** SIP over UDP (the default) or TCP (SIPp's `-t t1`: one connection). */
  readonly transport?: 'udp' | 'tcp';
  /**
   * SIPp's own SIP port. Over UDP the default is one freeUdpPort hands out, never SIPp's own: without
   * `-p` it takes the first free port from 5060, which every SIPp of every worker shares and the next
   * run takes the moment one ends, so what a switch still sends the finished run (a BYE resent
   * because its 200 was read late) lands in the next run's message log. Over TCP the default is
   * SIPp's (it then connects from another port than the one its Contact names, and nothing is
   * resent over a connection).
   */
  readonly localPort?: number;
  /** register: the port its Contact names (default SIPp's own). */
  readonly contactPort?: number;
  /** The Request-URI / To user ([service]). */
  readonly service?: string;
  readonly domain?: string;
  readonly authUser?: string;
  readonly password?: string;
  readonly caller?: string;
  /** call_refused's final response; register's final response (default 200). */
  readonly expect?: number;
  /** call_refused: a 183 must come before the final response. */
  readonly early?: boolean;
  readonly expires?: number;
  readonly holdMs?: number;
  /** call, call_refused, uas_answer, uas_hold: the RTP port the phone's SDP names (default SIPp's own media port), so a test can own the phone's audio. */
  readonly audioPort?: number;
  /** call, call_refused, uas_answer, uas_hold: the one codec the phone's SDP has (default PCMU). */
  readonly audioCodec?: 'PCMU' | 'PCMA';
  /** uas_auth, uas_register: the credentials the challenge's answer must be made with. */
  readonly expectAuth?: { readonly username: string; readonly password: string };
  /** call: once answered, SIPp plays this capture's RTP to the switch (play_pcap_audio) while it holds the call. */
  readonly playPcap?: string;
  readonly timeoutSec?: number;
  /** How many calls (default 1), at what rate per second (default SIPp's 10), at most how many at once (default 1). */
  readonly calls?: number;
  readonly rate?: number;
  readonly limit?: number;
  /** A scenario (filled in the same way) for requests of no call SIPp started (`-oocsf`): a client phone taking a call. */
  readonly outOfCall?: 'ooc_answer_bye';
  /** More `[name]` placeholders of the scenario, filled with these texts. */
  readonly vars?: Readonly<Record<string, string>>;
  /** Keep every message SIPp sent and received (its -trace_msg log) in the result's `messages`. */
  readonly traceMessages?: boolean;
}

export interface SippResult {
  readonly code: number | null;
  readonly output: string;
  readonly errors: string;
  /** traceMessages: the messages in order, each as SIPp logged it. */
  readonly messages: readonly string[];
}

/**
 * UDP ports for SIP and SIPp's media (it binds the port and the port + 2) come from a band of their
 * own, below the RTP range a switch uses (16384 and up) and below free_port.ts's band, so no RTP
 * socket can take one between the check and the use: each vitest worker has a slice, and a port is
 * handed out when both it and its + 2 bind over UDP and TCP right now (a profile given the port
 * listens for TCP on it too, and another test's TCP listener there would stop it starting).
 */
const MEDIA_BAND = 10_000;
const MEDIA_SLICE = 360;
const mediaFirst = MEDIA_BAND + ((Number(process.env.VITEST_POOL_ID ?? 0) || 0) % 16) * MEDIA_SLICE;
let mediaNext = mediaFirst;

function udpBindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.once('error', () => resolve(false));
    s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

function tcpBindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

async function bindable(port: number): Promise<boolean> {
  return (await udpBindable(port)) && (await tcpBindable(port));
}

export async function freeUdpPort(): Promise<number> {
  for (let tried = 0; tried < MEDIA_SLICE / 4; tried++) {
    const port = mediaNext;
    mediaNext = mediaNext + 4 < mediaFirst + MEDIA_SLICE ? mediaNext + 4 : mediaFirst;
    if ((await bindable(port)) && (await bindable(port + 2))) return port;
  }
  throw new Error(`no free UDP and TCP port in ${mediaFirst}-${mediaFirst + MEDIA_SLICE - 1}`);
}

export async function runSipp(r: SippRun): Promise<SippResult> {
  return (await startSipp(r)).done;
}

/** Starts SIPp; `done` resolves when it exits. */
export async function startSipp(r: SippRun): Promise<{ readonly done: Promise<SippResult> }> {
  const mediaPort = await freeUdpPort();
  const sipPort = r.localPort ?? (r.transport === 'tcp' ? undefined : await freeUdpPort());
  const dir = mkdtempSync(join(tmpdir(), 'sipp-'));
  const fill: Record<string, string> = {
    domain: r.domain ?? 'localhost',
    caller: r.caller ?? r.authUser ?? 'sipp',
    contact_port: r.contactPort === undefined ? '[local_port]' : String(r.contactPort),
    expect: String(r.expect ?? 200),
    early_optional: r.early ? 'false' : 'true',
    expires: String(r.expires ?? 3600),
    hold: String(r.holdMs ?? 500),
    audio_port: r.audioPort === undefined ? '[media_port]' : String(r.audioPort),
    audio_codec: r.audioCodec ?? 'PCMU',
    audio_pt: r.audioCodec === 'PCMA' ? '8' : '0',
    play: r.playPcap === undefined ? '' : `<nop><action><exec play_pcap_audio="${r.playPcap}"/></action></nop>`,
    auth_user: r.expectAuth?.username ?? '',
    auth_password: r.expectAuth?.password ?? '',
    reply: '200 OK',
    redirect_to: '',
    reason: 'Q.850;cause=16',
    ...r.vars,
  };
  const filled = (scenario: string) => {
    const text = readFileSync(join(SCENARIOS, `${scenario}.xml`), 'utf8').replace(
      new RegExp(`\\[(${Object.keys(fill).join('|')})\\]`, 'g'),
      (_, k: string) => fill[k],
    );
    const file = join(dir, `${scenario}.xml`);
    writeFileSync(file, text);
    return file;
  };
  const file = filled(r.scenario);
  const errorFile = join(dir, 'errors.log');
  const messageFile = join(dir, 'messages.log');
  const args = [
    ...(r.port === undefined ? [] : [`127.0.0.1:${r.port}`]),
    '-sf',
    file,
    ...(r.outOfCall === undefined ? [] : ['-oocsf', filled(r.outOfCall)]),
    '-i',
    '127.0.0.1',
    '-mi',
    '127.0.0.1',
    '-mp',
    String(mediaPort),
    ...(r.transport === 'tcp' ? ['-t', 't1'] : []),
    ...(sipPort === undefined ? [] : ['-p', String(sipPort)]),
    ...(r.service === undefined ? [] : ['-s', r.service]),
    ...(r.authUser === undefined ? [] : ['-au', r.authUser]),
    ...(r.password === undefined ? [] : ['-ap', r.password]),
    '-m',
    String(r.calls ?? 1),
    '-l',
    String(r.limit ?? 1),
    ...(r.rate === undefined ? [] : ['-r', String(r.rate)]),
    '-nostdin',
    '-trace_err',
    '-error_file',
    errorFile,
    ...(r.traceMessages ? ['-trace_msg', '-message_file', messageFile] : []),
    '-timeout',
    `${r.timeoutSec ?? 20}s`,
    '-timeout_error',
    '-max_recv_loops',
    '1000',
  ];
  const done = new Promise<SippResult>((resolve, reject) => {
    const child = spawn(sippBinary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => {
      output += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      output += c.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const errors = readIfThere(errorFile);
      const messages = r.traceMessages ? splitMessageLog(readIfThere(messageFile)) : [];
      rmSync(dir, { recursive: true, force: true });
      resolve({ code, output: output.slice(-4000), errors: errors.slice(-4000), messages });
    });
  });
  return { done };
}

function readIfThere(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return ''; // nothing written
  }
}

/** SIPp's message log: each entry a dashed line with the time, a line saying what it was, a blank line, the message, a newline. */
function splitMessageLog(log: string): string[] {
  return log
    .split(/^-{20,}.*\n/m)
    .filter((entry) => entry !== '')
    .map((entry) => entry.replace(/^[^\n]*\n\n/, '').replace(/\n$/, ''));
}
