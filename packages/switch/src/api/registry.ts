/**
 * API commands (switch_loadable_module.c's api interfaces) and their dispatcher
 * (switch_api_execute): names are case-insensitive, command and argument are trimmed, an API
 * event is created before the command runs and fired after it returns (spec §3.1).
 */
import type { ProcessContext } from '@beamline/core';
import type { SwitchCore } from '../core/core.ts';
import type { Pid } from '@beamline/etf';
import type { BusyChannel, ChannelServices, ChannelSpec } from '../channel/channel.ts';
import type { XmlElement } from '../config/xml.ts';
import type { XmlSectionName } from '../config/xml_fetch.ts';
import type { SwitchEvent } from '../events/event.ts';

/** What commands need of the switch beyond its core. */
export interface ApiHost {
  readonly services: ChannelServices;
  /** switch_api_execute of another command (`from`: the channel whose expansion waits for it). */
  execute(command: string, args?: string, from?: BusyChannel): Promise<ApiResult>;
  startChannel(ctx: ProcessContext, spec: ChannelSpec): Promise<Pid>;
  /** switch_xml_locate (XML-fetch bindings, then the static XML): the directory commands read it. */
  readonly conf?: {
    locate(section: XmlSectionName, tag?: string, key?: string, value?: string, params?: SwitchEvent): Promise<XmlElement | undefined>;
  };
}

export interface ApiEnv {
  readonly ctx: ProcessContext;
  readonly core: SwitchCore;
  readonly sw: ApiHost;
  /** The channel whose `${cmd args}` runs this command: it waits for the output, so it answers only reads. */
  readonly busyChannel?: BusyChannel;
}

/** Returns the output; throwing is the command's failure. */
export type ApiFunction = (args: string, env: ApiEnv) => string | Promise<string>;

export interface ApiCommand {
  readonly name: string;
  readonly syntax?: string;
  readonly description?: string;
  /** The module `help` names (default mod_beamline for commands FreeSWITCH does not have). */
  readonly module?: string;
  readonly run: ApiFunction;
}

export interface ApiResult {
  /** false: no such command. */
  readonly found: boolean;
  /** The command's output ('INVALID COMMAND!\n' for an unknown one, as the core writes it). */
  readonly output: string;
  /** The command failed (threw): switch_api_execute's status is not SUCCESS. */
  readonly failed?: boolean;
}

/** FreeSWITCH's whitespace: space, tab, CR, LF, VT. */
export function trimWs(s: string): string {
  return s.replace(/^[ \t\r\n\v]+|[ \t\r\n\v]+$/g, '');
}

/** `cmd args` → [cmd, args], both trimmed. */
export function splitCommand(line: string): [string, string] {
  const t = trimWs(line);
  const m = /^(\S+)(?:[ \t\r\n\v]+([\s\S]*))?$/.exec(t);
  return [m?.[1] ?? '', trimWs(m?.[2] ?? '')];
}

export class ApiRegistry {
  readonly #commands = new Map<string, ApiCommand>();

  add(...commands: readonly ApiCommand[]): void {
    for (const c of commands) this.#commands.set(c.name.toLowerCase(), c);
  }

  get(name: string): ApiCommand | undefined {
    return this.#commands.get(name.toLowerCase());
  }

  names(): string[] {
    return [...this.#commands.keys()].sort();
  }

  /** switch_api_execute. */
  async execute(cmd: string, args: string, env: ApiEnv): Promise<ApiResult> {
    const command = trimWs(cmd);
    const arg = trimWs(args);
    const event = env.core.bus.create('API');
    event.addHeader('API-Command', command);
    event.addHeader('API-Command-Argument', arg);
    const api = this.get(command);
    let result: ApiResult;
    if (!api) result = { found: false, output: 'INVALID COMMAND!\n' };
    else {
      try {
        result = { found: true, output: await api.run(arg, env) };
      } catch (err) {
        env.core.log('ERR', `API ${command} failed: ${String(err)}`);
        result = { found: true, output: 'COMMAND RETURNED ERROR!\n', failed: true };
      }
    }
    env.core.fire(event);
    return result;
  }
}
