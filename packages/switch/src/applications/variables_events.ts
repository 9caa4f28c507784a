/**
 * mod_dptools' export, unset, multiset, log, info, event, respond and transfer (behaviour read
 * from mod_dptools.c / switch_channel.c; see DECISIONS.md).
 */
import type { SwitchLogLevel } from '../core/core.ts';
import { SwitchEvent } from '../events/event.ts';
import { serializePlain } from '../events/serialize.ts';
import { type EventTypeName, nameEvent } from '../events/types.ts';
import { LOG_SITES } from '../log/sites.ts';
import { baseSet, sync } from './dptools.ts';
import type { AppChannel, Application } from './types.ts';
import { hasVariableReference, separateString } from '../internal/strings.ts';

const LEVELS: readonly SwitchLogLevel[] = ['CONSOLE', 'ALERT', 'CRIT', 'ERR', 'WARNING', 'NOTICE', 'INFO', 'DEBUG'];

/** switch_log_str2level: a name (any case; `error` = ERR) or its number 0–7; undefined when invalid. */
export function logLevel(text: string): SwitchLogLevel | undefined {
  const t = text.trim().toUpperCase();
  if (/^\d+$/.test(t)) {
    const n = Number(t);
    return n === 0 ? 'CONSOLE' : LEVELS[n];
  }
  if (t === 'ERROR') return 'ERR';
  if (t === 'EMERG') return 'CONSOLE';
  return LEVELS.find((l) => l === t);
}

/** `var=val` → [var, val | undefined] (an empty value unsets). */
function assignment(data: string): [string, string | undefined] {
  const eq = data.indexOf('=');
  if (eq < 0) return [data, undefined];
  return [data.slice(0, eq), data.slice(eq + 1) || undefined];
}

/** The `event` application's header pairs → the final type, subclass and headers (in order). */
export function eventAppHeaders(data: string): { type: string | undefined; subclass: string | undefined; pairs: [string, string][] } {
  let type: string | undefined;
  let subclass: string | undefined;
  const pairs: [string, string][] = [];
  if (data.trim() === '') return { type, subclass, pairs };
  for (const raw of data.split(',').slice(0, 25)) {
    const item = raw.replace(/^ +/, '');
    const eq = item.indexOf('=');
    if (eq < 0) continue;
    const name = item.slice(0, eq).replace(/ +$/, '');
    const value = item.slice(eq + 1).replace(/^ +/, '');
    if (name.toLowerCase() === 'event-name') type = value;
    else if (name.toLowerCase() === 'event-subclass') subclass = value;
    pairs.push([name, value]);
  }
  return { type, subclass, pairs };
}

/**
 * switch_channel_export_variable_var_check: the variable is set here (with a `nolocal:` prefix, under
 * that name) and, when it has a value, its name joins the export list; `varCheck` refuses a value
 * that refers to a variable (bridge_export) but still lists it.
 */
function exportVariable(ch: AppChannel, data: string, listName: string, varCheck: boolean): void {
  if (data === '') {
    ch.core.log('ERR', 'No variable name specified.', ch.uuid);
    return;
  }
  const [name, value] = assignment(data);
  const local = !/^(nolocal:|_nolocal_)/i.test(name);
  const bare = name.replace(/^(nolocal:|_nolocal_)/i, '');
  ch.core.log('DEBUG', `EXPORT (${listName}) ${local ? '' : '(REMOTE ONLY) '}${bare}[${value ?? 'UNDEF'}]`, ch.uuid);
  if (varCheck && value !== undefined && hasVariableReference(value)) ch.core.log('CRIT', `Invalid data (\${${name}} contains a variable)`, ch.uuid);
  else ch.setVariable(name, value);
  if (value !== undefined) {
    const exports = ch.variable(listName);
    ch.setVariable(listName, exports ? `${exports},${name}` : name);
  }
}

export const MORE_DPTOOLS: readonly Application[] = [
  { name: 'export', routingExec: true, zombieExec: true, run: sync((ch, data) => exportVariable(ch, data, 'export_vars', false)) },
  { name: 'bridge_export', routingExec: true, zombieExec: true, run: sync((ch, data) => exportVariable(ch, data, 'bridge_export_vars', true)) },
  {
    name: 'unset',
    routingExec: true,
    zombieExec: true,
    run: sync((ch, data) => {
      if (data === '') {
        ch.core.log('ERR', 'No variable name specified.', ch.uuid);
        return;
      }
      ch.core.log('DEBUG', `UNSET [${data}]`, ch.uuid);
      ch.setVariable(data, undefined);
    }),
  },
  {
    name: 'multiset',
    routingExec: true,
    zombieExec: true,
    run: sync(async (ch, data) => {
      let delim = ' ';
      let arg = data;
      if (arg.startsWith('^^') && arg.length >= 3) {
        delim = arg[2] as string;
        arg = arg.slice(3);
      }
      // switch_split (switch_separate_string: quotes, escapes, runs of blanks), then base_set on each
      for (const item of separateString(arg, delim, 256)) {
        await baseSet(ch, item);
      }
    }),
  },
  {
    name: 'log',
    routingExec: true,
    zombieExec: true,
    run: sync((ch, data) => {
      const sp = data.indexOf(' ');
      const level = sp < 0 ? 'DEBUG' : (logLevel(data.slice(0, sp)) ?? 'DEBUG');
      ch.core.log(level, sp < 0 ? data : data.slice(sp + 1), ch.uuid, LOG_SITES.logApp);
    }),
  },
  {
    name: 'info',
    routingExec: true,
    zombieExec: true,
    run: sync((ch, data) => {
      const level = data === '' ? 'INFO' : logLevel(data);
      if (!level) return;
      const event = new SwitchEvent('CHANNEL_DATA');
      ch.addChannelData(event);
      ch.core.log(level, `CHANNEL_DATA:\n${serializePlain(event, false)}`, ch.uuid, LOG_SITES.infoApp);
    }),
  },
  {
    name: 'event',
    routingExec: true,
    zombieExec: true,
    run: sync((ch, data) => {
      const base = ch.core.bus.create('CHANNEL_APPLICATION');
      const { type, subclass, pairs } = eventAppHeaders(data);
      const finalType: EventTypeName = (type !== undefined ? nameEvent(type) : undefined) ?? 'CHANNEL_APPLICATION';
      const event = new SwitchEvent(finalType, finalType === 'CUSTOM' ? subclass : undefined);
      for (const h of base.headers) event.addHeader(h.name, h.value);
      for (const [name, value] of pairs) {
        if (name.toLowerCase() === 'event-name') event.delHeader(name);
        event.addHeader(name, value);
      }
      ch.addChannelData(event);
      ch.core.fire(event);
    }),
  },
  {
    // SWITCH_MESSAGE_INDICATE_RESPOND: only SIP endpoints act on it
    name: 'respond',
    run: sync(async (ch, data) => {
      if (!(await ch.respond(data))) ch.core.log('DEBUG', `respond ${data}: no SIP on this channel, nothing sent`, ch.uuid);
    }),
  },
  {
    name: 'transfer',
    run: sync(async (ch, data) => {
      const argv = separateString(data, ' ', 4);
      if (data === '' || !argv[0]) {
        if (data !== '') ch.core.log('ERR', 'No extension specified.', ch.uuid);
        return;
      }
      const flag = argv[0].toLowerCase();
      if (flag === '-bleg' || flag === '-both') {
        const [dest, dp, ctx] = [argv[1] ?? '', argv[2], argv[3]];
        if (!(await ch.transferPartner(dest, dp, ctx, flag === '-both'))) ch.core.log('WARNING', 'No B-leg present.', ch.uuid);
        if (flag === '-both') await ch.redirect(dest, dp, ctx);
        return;
      }
      await ch.redirect(argv[0], argv[1], argv[2]);
    }),
  },
];
