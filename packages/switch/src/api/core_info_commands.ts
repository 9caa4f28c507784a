/**
 * mod_commands' commands about the core itself, with its replies: `banner` (switch_core_banner),
 * `event_channel_broadcast <json>` (switch_event_channel_broadcast),
 * `reg_url` (the core's registrations table, as select_url reads it), `db_cache status`
 * (switch_cache_db_status), `pool_stats` and `memory` (what a FreeSWITCH built without pool
 * debugging, on a platform without mallinfo, answers: DECISIONS.md #439).
 */
import { separateString } from '../internal/strings.ts';
import { parseCJson } from './cjson.ts';
import { defaultDomain } from './directory_commands.ts';
import type { ApiCommand, ApiEnv } from './registry.ts';

const BANNER = `
.=============================================================.
|   _____              ______        _____ _____ ____ _   _   |
|  |  ___| __ ___  ___/ ___\\ \\      / /_ _|_   _/ ___| | | |  |
|  | |_ | '__/ _ \\/ _ \\___ \\\\ \\ /\\ / / | |  | || |   | |_| |  |
|  |  _|| | |  __/  __/___) |\\ V  V /  | |  | || |___|  _  |  |
|  |_|  |_|  \\___|\\___|____/  \\_/\\_/  |___| |_| \\____|_| |_|  |
|                                                             |
.=============================================================.
|   Anthony Minessale II, Michael Jerris, Brian West, Others  |
|   FreeSWITCH (http://www.freeswitch.org)                    |
|   Paypal Donations Appreciated: paypal@freeswitch.org       |
|   Brought to you by ClueCon http://www.cluecon.com/         |
.=============================================================.

`;

/**
 * reg_url_function: `<user>[@<realm>][/<concat>]`, the realm defaulting to the switch's domain;
 * the urls of the user's registrations joined with `,` (not those containing the asking channel's
 * `sip_exclude_contact`), or `error/user_not_registered`. The `/<concat>` part is read and unused,
 * as select_url's callback writes only the url.
 */
async function regUrl(args: string, env: ApiEnv): Promise<string> {
  if (args === '') return '';
  const at = args.indexOf('@');
  const user = (at < 0 ? args : args.slice(0, at)).split('/')[0] ?? '';
  const realm = (at < 0 ? '' : args.slice(at + 1).split('/')[0]) || defaultDomain(env);
  const exclude = env.busyChannel?.read({ op: 'getvar', name: 'sip_exclude_contact' });
  const urls = env.core.registrations
    .rows()
    .filter((r) => r.reg_user === user && r.realm === realm && r.url)
    .map((r) => r.url as string)
    .filter((url) => typeof exclude !== 'string' || !url.toLowerCase().includes(exclude.toLowerCase()));
  return urls.length === 0 ? 'error/user_not_registered' : urls.join(',');
}

/** db_cache_function: `status` (anywhere in the first word, any case) lists the cached handles; there are none here. */
function dbCache(args: string): string {
  const [first] = args === '' ? [] : separateString(args, ' ', 2);
  return first?.toLowerCase().includes('status') ? '0 total. 0 in use.\n' : 'parameter missing\n';
}

/**
 * event_channel_broadcast_api_function: the whole argument is the JSON (the registered syntax's
 * `<channel>` is its `eventChannel` string). No module here binds an event channel (mod_verto and
 * mod_conference's live arrays do in FreeSWITCH), so the broadcast reaches nobody.
 */
function eventChannelBroadcast(args: string, env: ApiEnv): string {
  if (args === '') return '-ERR parsing channel\n';
  const json = parseCJson(args);
  if (!json) return '-ERR parsing json\n';
  if (json.getString('eventChannel') === undefined) {
    env.core.log('ERR', 'NO EVENT CHANNEL SPECIFIED');
    return '';
  }
  return '+OK message sent\n';
}

export const CORE_INFO_COMMANDS: readonly ApiCommand[] = [
  { name: 'banner', run: () => BANNER },
  { name: 'reg_url', run: regUrl },
  { name: 'event_channel_broadcast', run: eventChannelBroadcast },
  { name: 'db_cache', run: dbCache },
  { name: 'pool_stats', run: () => 'Unable to get core pool statictics. Please rebuild FreeSWITCH with --enable-pool-debug' },
  { name: 'memory', run: () => '-ERR Memory usage statistics is not implemented on the current platform.\n' },
];
