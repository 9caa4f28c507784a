/**
 * The `json` API (mod_commands' json_function) and the JSON APIs it runs
 * (switch_json_api_execute): the request is a JSON object naming a `command` with its `data`;
 * the reply is the request itself printed back with `status`, `message` (on an error) and
 * `response` appended, on one line or, with `"format": "pretty"`, as cJSON_Print lays it out.
 * The JSON APIs are mod_commands' `status`, `fsapi`, `execute`, `channelData` and `mediaStats`.
 */
import type { ChannelRecord } from '../channel/callflow.ts';
import type { Channel } from '../channel/channel.ts';
import { VERSION } from '../core/identity.ts';
import { switchTrue } from '../internal/strings.ts';
import { CJson, parseCJson, printCJson } from './cjson.ts';
import { measureTime } from './core_commands.ts';
import { generateJsonCdr } from './json_cdr.ts';
import type { ApiCommand, ApiEnv, ApiRegistry } from './registry.ts';
import { callChannel } from './uuid_commands.ts';

export interface JsonApiEnv {
  readonly env: ApiEnv;
  /** For `fsapi`: switch_api_execute. */
  readonly registry: ApiRegistry;
}

/** A JSON API (SWITCH_STANDARD_JSON_API): whether it succeeded, and its reply (none: `null`). */
export type JsonApiFunction = (request: CJson, env: JsonApiEnv) => Promise<{ readonly ok: boolean; readonly reply?: CJson }>;

const text = (s: string) => CJson.string(s);
const failWith = (response: string) => ({ ok: false, reply: CJson.object().add('response', text(response)) });
const INVALID_INPUT = 'INVALID INPUT';
const NO_SESSION = 'Session does not exist';

async function channelRecord(env: ApiEnv, uuid: string): Promise<ChannelRecord | undefined> {
  return (await callChannel<ChannelRecord>(env, uuid, { op: 'record' }))?.value;
}

function cdrOf(record: ChannelRecord, env: ApiEnv): CJson {
  return generateJsonCdr(record, env.core.identity);
}

/** json_status_function: the numbers the plain `status` reports (no stack sizes: the switch has no thread stacks to measure). */
const status: JsonApiFunction = async (_request, { env }) => {
  const { core } = env;
  const l = core.limits.snapshot();
  const t = measureTime(core.uptimeUs());
  const reply = CJson.object()
    .add('systemStatus', text(core.control.ready() ? 'ready' : 'not ready'))
    .add(
      'uptime',
      CJson.object()
        .add('years', CJson.number(t.yr))
        .add('days', CJson.number(t.day))
        .add('hours', CJson.number(t.hr))
        .add('minutes', CJson.number(t.min))
        .add('seconds', CJson.number(t.sec))
        .add('milliseconds', CJson.number(t.ms))
        .add('microseconds', CJson.number(t.mms)),
    )
    .add('version', text(VERSION.fullHuman))
    .add(
      'sessions',
      CJson.object()
        .add(
          'count',
          CJson.object()
            .add('total', CJson.number(core.sessions.sinceStartup))
            .add('active', CJson.number(core.sessions.count))
            .add('peak', CJson.number(core.sessions.peak))
            .add('peak5Min', CJson.number(l.sessionsPeakFiveMin))
            .add('limit', CJson.number(core.maxSessions)),
        )
        .add(
          'rate',
          CJson.object()
            .add('current', CJson.number(l.spsLast))
            .add('max', CJson.number(core.sessionsPerSecond))
            .add('peak', CJson.number(l.spsPeak))
            .add('peak5Min', CJson.number(l.spsPeakFiveMin)),
        ),
    )
    // as the C: `used` is the configured minimum, `allowed` the idle CPU measured
    .add('idleCPU', CJson.object().add('used', CJson.number(core.control.minIdleCpu)).add('allowed', CJson.number(core.idleCpu())));
  return { ok: true, reply };
};

/** json_api_function: `data.cmd` / `data.arg` run as an API command; its output is `message`. */
const fsapi: JsonApiFunction = async (request, { env, registry }) => {
  const data = request.get('data');
  const cmd = data?.getString('cmd');
  const arg = data?.getString('arg');
  if (cmd === undefined) return { ok: true, reply: CJson.object().add('message', text('INVALID CALL')) };
  const result = await registry.execute(cmd, arg ?? '', env);
  const ok = result.found && !result.failed;
  return { ok, reply: CJson.object().add('message', text(ok ? result.output : 'INVALID CALL')) };
};

/**
 * json_execute_function: `data.app` (and `data.arg`) on the channel `data.uuid`, queued as
 * switch_core_session_execute_application_async does (an `event-lock` execute) unless
 * `data.inline` is true, when it runs on the channel at once. The reply is the channel's name,
 * or its JSON CDR with `extendedData` true, taken before the application runs.
 */
const execute: JsonApiFunction = async (request, { env }) => {
  const data = request.get('data');
  if (!data) return failWith(INVALID_INPUT);
  const uuid = data.getString('uuid');
  let app = data.getString('app');
  let arg = data.getString('arg');
  if (uuid === undefined || app === undefined) return failWith(INVALID_INPUT);
  const record = await channelRecord(env, uuid);
  if (!record) return failWith(NO_SESSION);
  const reply = CJson.object();
  if (switchTrue(data.getString('extendedData'))) reply.add('channelData', cdrOf(record, env));
  else reply.add('channelName', text(record.name));
  if (switchTrue(data.getString('inline'))) {
    const [name, appArg] = [app, arg ?? ''];
    await callChannel(env, uuid, { op: 'work', work: (ch: Channel) => ch.execute(name, appArg, async () => {}) });
  } else {
    const sep = arg === undefined ? app.indexOf('::') : -1;
    if (sep >= 0) [app, arg] = [app.slice(0, sep), app.slice(sep + 2)];
    await callChannel(env, uuid, { op: 'execute', application: app, data: arg ?? '', lock: true });
  }
  return { ok: true, reply };
};

/** json_channel_data_function: the JSON CDR of the channel `data.uuid` as `channelData`. */
const channelData: JsonApiFunction = async (request, { env }) => {
  const uuid = request.get('data')?.getString('uuid');
  if (!uuid) return failWith(INVALID_INPUT);
  const record = await channelRecord(env, uuid);
  if (!record) return failWith(NO_SESSION);
  return { ok: true, reply: CJson.object().add('channelData', cdrOf(record, env)) };
};

/** true_enough: true, a non-zero number, or any string. */
function trueEnough(item: CJson | undefined): boolean {
  return !!item && (item.type === 'true' || item.int !== 0 || (item.type === 'number' && item.number !== 0) || item.type === 'string');
}

/**
 * json_stats_function: the channel's `audio` / `video` RTP statistics — none here, the switch
 * keeps no RTP counters, as FreeSWITCH has none for a channel without media — and its JSON CDR
 * as `channelData` when `data.channelData` is true enough.
 */
const mediaStats: JsonApiFunction = async (request, { env }) => {
  const data = request.get('data');
  const uuid = data?.getString('uuid');
  if (!uuid) return failWith(INVALID_INPUT);
  const record = await channelRecord(env, uuid);
  if (!record) return failWith(NO_SESSION);
  const reply = CJson.object();
  if (trueEnough(data?.get('channelData'))) reply.add('channelData', cdrOf(record, env));
  return { ok: true, reply };
};

/** mod_commands' JSON APIs by lower-case name (the JSON API hash ignores case). */
export const JSON_APIS: ReadonlyMap<string, JsonApiFunction> = new Map([
  ['mediastats', mediaStats],
  ['status', status],
  ['fsapi', fsapi],
  ['execute', execute],
  ['channeldata', channelData],
]);

/**
 * switch_json_api_execute: the request's `command` (a string) with a `data` member (any value)
 * runs that JSON API; `status`, `message` and `response` are appended to the request.
 */
export async function jsonApiExecute(request: CJson, env: JsonApiEnv): Promise<boolean> {
  const command = request.get('command');
  const api = command?.type === 'string' && request.get('data') ? JSON_APIS.get((command.text ?? '').toLowerCase()) : undefined;
  if (!api) {
    request.add('status', text('error'));
    request.add('message', text('Invalid request or non-existant command'));
    request.add('response', CJson.null());
    return false;
  }
  let result: { readonly ok: boolean; readonly reply?: CJson };
  try {
    result = await api(request, env);
  } catch (err) {
    env.env.core.log('ERR', `JSON API ${command?.text} failed: ${String(err)}`);
    result = { ok: false };
  }
  if (result.ok) request.add('status', text('success'));
  else {
    request.add('status', text('error'));
    request.add('message', text('The command returned an error'));
  }
  request.add('response', result.reply ?? CJson.null());
  return result.ok;
}

/** `json <JSON>`: the request with its outcome, one line (or cJSON_Print's layout with `"format": "pretty"`). */
export function jsonCommand(registry: ApiRegistry): ApiCommand {
  return {
    name: 'json',
    description: 'JSON API',
    syntax: 'JSON',
    module: 'mod_commands',
    run: async (args, env) => {
      if (args === '') return '-ERR No JSON supplied.\n';
      const request = parseCJson(args);
      if (!request) return '-ERR Parse error.\n';
      const format = request.get('format');
      await jsonApiExecute(request, { env, registry });
      const pretty = format?.type === 'string' && (format.text ?? '').toLowerCase() === 'pretty';
      return `${printCJson(request, pretty)}\n`;
    },
  };
}
