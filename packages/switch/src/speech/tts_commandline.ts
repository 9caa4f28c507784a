/**
 * mod_tts_commandline: a speech engine that runs a shell command to make a WAV file and plays it.
 * tts_commandline.conf's `<settings><param name="command" value="…"/>` is the command; in it
 * `${text}`, `${voice}`, `${rate}` and `${file}` are replaced, in that order and everywhere they
 * appear, by the text, the voice, the rate and a new temporary file's path — each but the rate
 * quoted for the shell. The command runs in `/bin/sh` as a child process (the event loop goes on);
 * the file it wrote is read and removed. A command the shell could not run (exit 127) logs
 * `Failed to execute command: …`; a file that is not there or not a WAV logs `Failed to open file: …`.
 * The conf is read again at each text, so `reloadxml` changes the command as mod_tts_commandline's
 * RELOADXML handler does.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type XmlElement, attr, children } from '../config/xml.ts';
import type { SwitchCore } from '../core/core.ts';
import { decodeWav } from '../media/wav.ts';
import type { SpeechAudio, SpeechHandle, SpeechInterface } from './registry.ts';

export const TTS_COMMANDLINE_CONF = 'tts_commandline.conf';
export const TTS_COMMANDLINE_MODULE = 'mod_tts_commandline';
/** The rate the WAV files are played at: the channels' (decodeWav brings any file to it). */
const FILE_RATE = 8000;

/** switch_util_quote_shell_arg (POSIX): in single quotes, each `'` written as `'\''`. */
export const quoteShellArg = (s: string): string => `'${s.split("'").join("'\\''")}'`;

/** switch_string_replace: every `search` in `s` replaced (no `$` patterns). */
const replaceAll = (s: string, search: string, by: string): string => s.split(search).join(by);

/** The command line for one text, as tts_commandline_speech_feed_tts builds it. */
export function commandLine(command: string, text: string, voice: string, rate: number, file: string): string {
  let line = replaceAll(command, '${text}', quoteShellArg(text));
  line = replaceAll(line, '${voice}', quoteShellArg(voice));
  line = replaceAll(line, '${rate}', String(rate));
  return replaceAll(line, '${file}', quoteShellArg(file));
}

/** The `command` param of the conf's settings (the last one wins); undefined when there is none. */
export function configuredCommand(cfg: XmlElement | undefined): string | undefined {
  if (!cfg) return undefined;
  let command: string | undefined;
  for (const settings of children(cfg, 'settings'))
    for (const param of children(settings, 'param')) if (attr(param, 'name') === 'command') command = attr(param, 'value') ?? '';
  return command === '' ? undefined : command;
}

/** The shell's exit code, or `spawn-failed` when no shell started. */
function runShell(line: string, signal?: AbortSignal): Promise<number | 'spawn-failed'> {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', line], { stdio: 'ignore', ...(signal ? { signal } : {}) });
    child.once('error', (err) => (err.name === 'AbortError' ? undefined : resolve('spawn-failed')));
    child.once('close', (code) => resolve(code ?? -1));
  });
}

export interface TtsCommandlineHost {
  readonly core: SwitchCore;
  /** tts_commandline.conf's `<configuration>` (switch_xml_open_cfg), read at each text. */
  config(): Promise<XmlElement | undefined>;
  /** Where the temporary files go (SWITCH_GLOBAL_dirs.temp_dir; default the OS's). */
  readonly tempDir?: string;
}

class CommandlineHandle implements SpeechHandle {
  #voice: string;

  constructor(
    private readonly host: TtsCommandlineHost,
    voice: string,
    private readonly rate: number,
  ) {
    this.#voice = voice;
  }

  textParam(name: string, value: string): void {
    if (name.toLowerCase() === 'voice') this.#voice = value;
  }

  async feed(text: string, signal?: AbortSignal): Promise<SpeechAudio | undefined> {
    const { core } = this.host;
    const command = configuredCommand(await this.host.config().catch(() => undefined));
    if (command === undefined) {
      core.log('ERR', `No command set, please edit ${TTS_COMMANDLINE_CONF}`);
      return undefined;
    }
    const file = join(this.host.tempDir ?? tmpdir(), `${randomUUID()}.tmp.wav`);
    const line = commandLine(command, text, this.#voice, this.rate, file);
    core.log('DEBUG', `Executing: ${line}`);
    try {
      const exit = await runShell(line, signal);
      if (signal?.aborted) return undefined;
      if (exit === 'spawn-failed' || exit === 127) {
        core.log('ERR', `Failed to execute command: ${line}`);
        return undefined;
      }
      try {
        return { samples: decodeWav(await readFile(file)), rate: FILE_RATE };
      } catch {
        core.log('ERR', `Failed to open file: ${file}`);
        return undefined;
      }
    } finally {
      await rm(file, { force: true }).catch(() => undefined);
    }
  }
}

/** The engine (speech interface `tts_commandline`). */
export function ttsCommandline(host: TtsCommandlineHost): SpeechInterface {
  return { name: 'tts_commandline', module: TTS_COMMANDLINE_MODULE, open: (voice, rate) => new CommandlineHandle(host, voice, rate) };
}
