/**
 * The `ivr <menu_name>` application (mod_dptools ivr_application_function): ivr.conf's
 * `<menus>` as switch_ivr_menu_stack_xml_build turns them into a menu stack (the named menu and
 * every menu its `menu-sub` entries reach), then switch_ivr_menu_execute on it: the greeting
 * (`greet-long`, `greet-short` on repeats) with the digits it collects, the entries' actions, the
 * invalid / exit sounds and the failure and timeout counts, with the `menu::enter` / `menu::exit`
 * events and the DEBUG lines FreeSWITCH prints.
 */
import type { ConfigurationSource } from '../config/open_cfg.ts';
import { openCfg } from '../config/open_cfg.ts';
import { type XmlElement, attr, child, children, findChild } from '../config/xml.ts';
import { regexPerform, substitute } from '../dialplan/regex.ts';
import { atoi } from '../internal/strings.ts';
import { playAndGetDigits } from './ivr.ts';
import { type MediaScript, runScript } from './media_script.ts';
import { phraseMacro, playOne } from './phrase.ts';
import type { AppChannel, Application } from './types.ts';

/** mod_dptools' ivr_cf_name. */
export const IVR_CONF = 'ivr.conf';

/** switch_ivr_action_t, in its order (the `todo=[n]` log line prints the number). */
const ACTIONS = ['menu-exit', 'menu-sub', 'menu-exec-app', 'menu-play-sound', 'menu-back', 'menu-top'] as const;
type ActionName = (typeof ACTIONS)[number];

interface MenuAction {
  readonly action: ActionName;
  readonly param: string;
  /** The entry's `digits`: the input itself, or a `/regex/`. */
  readonly bind: string;
}

/** A switch_ivr_menu_t: what switch_ivr_menu_init keeps of a `<menu>` (an empty attribute is no sound). */
interface Menu {
  readonly name: string;
  readonly greetLong: string | undefined;
  readonly greetShort: string | undefined;
  readonly invalidSound: string | undefined;
  readonly exitSound: string | undefined;
  readonly transferSound: string | undefined;
  readonly ttsEngine: string | undefined;
  readonly ttsVoice: string | undefined;
  /** A phrase macro that reads the input back (its data), `confirm-key` accepting it, up to `confirm-attempts` (default 3) times. */
  readonly confirmMacro: string | undefined;
  readonly confirmKey: string | undefined;
  readonly confirmAttempts: number;
  readonly maxFailures: number;
  readonly maxTimeouts: number;
  readonly timeout: number;
  readonly interTimeout: number;
  readonly execOnMaxFail: string | undefined;
  readonly execOnMaxTimeout: string | undefined;
  /** `pin`, asked for before the menu with `pin-file`, `bad-pin-file` played on a wrong one. */
  readonly pin: string | undefined;
  readonly pinFile: string;
  readonly badPinFile: string;
  /** The digits to collect: `digit-len`, raised to the longest plain `digits` bound. */
  inlen: number;
  readonly actions: MenuAction[];
}

const nonEmpty = (v: string | undefined) => (v ? v : undefined);

/** switch_ivr_menu_init's defaults: half the timeout between digits, 10 s, 3 failures / timeouts. */
function initMenu(el: XmlElement): Menu {
  const a = (n: string) => attr(el, n);
  const timeout = atoi(a('timeout') ?? '');
  const failures = atoi(a('max-failures') ?? '');
  // an absent max-timeouts takes max-failures' text
  const timeouts = atoi(a('max-timeouts') || (a('max-failures') ?? ''));
  return {
    name: a('name') ?? '',
    greetLong: nonEmpty(a('greet-long')),
    greetShort: nonEmpty(a('greet-short')),
    invalidSound: nonEmpty(a('invalid-sound')),
    exitSound: nonEmpty(a('exit-sound')),
    transferSound: nonEmpty(a('transfer-sound')),
    ttsEngine: nonEmpty(a('tts-engine')),
    ttsVoice: nonEmpty(a('tts-voice')),
    confirmMacro: nonEmpty(a('confirm-macro')),
    confirmKey: nonEmpty(a('confirm-key')),
    confirmAttempts: atoi(a('confirm-attempts') ?? '') || 3,
    maxFailures: failures > 0 ? failures : 3,
    maxTimeouts: timeouts > 0 ? timeouts : 3,
    timeout: timeout > 0 ? timeout : 10000,
    interTimeout: atoi(a('inter-digit-timeout') ?? '') || Math.trunc(timeout / 2),
    execOnMaxFail: nonEmpty(a('exec-on-max-failures')),
    execOnMaxTimeout: nonEmpty(a('exec-on-max-timeouts')),
    pin: nonEmpty(a('pin')),
    pinFile: a('pin-file') || 'ivr/ivr-please_enter_pin_followed_by_pound.wav',
    badPinFile: a('bad-pin-file') || 'conference/conf-bad-pin.wav',
    inlen: Math.max(0, atoi(a('digit-len') ?? '')),
    actions: [],
  };
}

type Log = (level: 'ERR' | 'WARNING' | 'DEBUG', text: string) => void;

/**
 * switch_ivr_menu_stack_xml_build: `el` joins the stack, then its entries are bound in order, a
 * `menu-sub` to a menu not yet in the stack building that one first. An entry whose action is not
 * one of the six (case counts) or that has no digits fails the whole build.
 */
function buildMenu(stack: Menu[], menus: XmlElement, el: XmlElement, log: Log): boolean {
  const menu = initMenu(el);
  log('DEBUG', `building menu '${menu.name}'`);
  stack.push(menu);
  let ok = true;
  for (const entry of children(el, 'entry')) {
    const action = attr(entry, 'action');
    const digits = attr(entry, 'digits');
    const param = attr(entry, 'param') ?? '';
    const known = ACTIONS.find((n) => n === action);
    if (!known) log('WARNING', `Invalid Action [${action ?? '(null)'}]`);
    if (!known || !digits) {
      ok = false;
      break;
    }
    if (known === 'menu-sub' && !stack.some((m) => m.name === param)) {
      const sub = findChild(menus, 'menu', 'name', param);
      if (sub && !buildMenu(stack, menus, sub, log)) {
        ok = false;
        break;
      }
    }
    log('DEBUG', `binding menu action '${known}' to '${digits}'`);
    if (!digits.startsWith('/')) menu.inlen = Math.max(menu.inlen, digits.length);
    menu.actions.push({ action: known, param, bind: digits });
  }
  if (!ok) log('ERR', 'Unable to build xml menu');
  return ok;
}

/** switch_status_t as the menu loop tells them apart. */
type Status = 'success' | 'false' | 'break' | 'timeout';

interface Run {
  readonly ch: AppChannel;
  readonly s: MediaScript;
  readonly stack: readonly Menu[];
  /** stack_count: the menus executing, nested. */
  depth: number;
  /** SWITCH_IVR_MENU_FLAG_FALLTOMAIN on the stack. */
  fallToMain: boolean;
  /** switch_channel_ready: not hung up, not ended from outside, no state change (a transfer) pending. */
  ready(): boolean;
}

/**
 * switch_ivr_play_file with input args but no buffer: a digit waiting in the queue ends the play
 * (a phrase macro with it) and stays there, for the next greeting to take.
 */
async function playStoppingOnDigit(r: Run, file: string): Promise<Status> {
  let digit = false;
  const unwatch = r.ch.watchDtmf(() => {
    digit = true;
    return r.s.interrupt();
  });
  try {
    const status = await playOne(r.ch, r.s, file, () => undefined);
    return digit ? 'break' : status;
  } finally {
    unwatch();
  }
}

/** switch_ivr_collect_digits_count: up to `max` digits, a terminator, or one of the timeouts. */
async function collectDigits(
  r: Run,
  max: number,
  terminators: string,
  firstTimeout: number,
  digitTimeout: number,
  absTimeout: number,
): Promise<{ status: Status; digits: string }> {
  let status: Status = 'false';
  let digits = '';
  // the C's timeouts are unsigned: a negative one never ends (none here); a timer holds 2^31-1 ms at most
  const [first, between, abs] = [firstTimeout, digitTimeout, absTimeout].map((n) => (n > 0 ? Math.min(n, 2 ** 31 - 1) : 0)) as [
    number,
    number,
    number,
  ];
  let eff = first || between;
  const next = between || first;
  await r.s.step((done) => {
    const timers: (() => void)[] = [];
    let stopReading = () => {};
    let digitTimer = () => {};
    let over = false;
    const stop = async (st: Status) => {
      if (over) return;
      over = true;
      status = st;
      for (const cancel of timers) cancel();
      digitTimer();
      stopReading();
      await done();
    };
    if (abs) timers.push(r.ch.after(abs, () => stop('timeout')));
    if (eff) digitTimer = r.ch.after(eff, () => stop('timeout'));
    stopReading = r.ch.readDtmf(async (digit) => {
      if (eff) {
        eff = next;
        digitTimer();
        digitTimer = r.ch.after(eff, () => stop('timeout'));
      }
      if (terminators.includes(digit)) return stop('success');
      digits += digit;
      if (digits.length >= max) return stop('success');
    });
    return () => stop('false');
  });
  return { status, digits };
}

/**
 * play_and_collect: `sound` (expanded) played; with `need`, the first digit ends it and starts the
 * buffer, and the rest of `inlen` digits are collected (`ivr_menu_terminator`, default `#`, ends
 * the input). Returns the status and the digits.
 */
async function playAndCollect(r: Run, menu: Menu, sound: string | undefined, need: number): Promise<{ status: Status; digits: string }> {
  const { ch } = r;
  if (!sound || !r.ready()) return { status: 'false', digits: '' };
  const file = await ch.expand(sound);
  const terminators = ch.variable('ivr_menu_terminator') || '#';
  if (!need) return { status: await playStoppingOnDigit(r, file), digits: '' };
  let buf = '';
  let status: Status = await playOne(ch, r.s, file, () => (digit) => {
    buf = digit;
    return true;
  });
  if (buf.length < need) {
    ch.core.log('DEBUG', `waiting for ${menu.inlen - buf.length}/${need} digits t/o ${menu.interTimeout}`, ch.uuid);
    if (r.ready()) {
      const got = await collectDigits(
        r,
        menu.inlen - buf.length,
        terminators,
        buf ? menu.interTimeout : menu.timeout,
        menu.interTimeout,
        menu.timeout,
      );
      buf += got.digits;
      status = got.status;
    } else {
      status = 'false';
    }
  }
  if (menu.confirmMacro && status === 'success' && buf !== '' && !(await confirmed(r, menu, menu.confirmMacro, buf, terminators))) buf = '';
  ch.core.log('DEBUG', `digits '${buf}'`, ch.uuid);
  return { status, digits: buf };
}

/**
 * play_and_collect's confirmation: the macro with the input as its data, a digit during it (or
 * one collected within `timeout` after it) compared with `confirm-key`; another key rejects at
 * once. Without a confirm key the macro plays every attempt and the input is rejected.
 */
async function confirmed(r: Run, menu: Menu, macro: string, buf: string, terminators: string): Promise<boolean> {
  const { ch } = r;
  const key = menu.confirmKey;
  let att = menu.confirmAttempts;
  while (att) {
    let got = '';
    const input = () =>
      key
        ? (digit: string) => {
            got = digit;
            return true;
          }
        : undefined;
    await phraseMacro(ch, r.s, macro, buf, undefined, input);
    if (key && got === '' && r.ready()) got = (await collectDigits(r, 1, terminators, menu.timeout, 0, 0)).digits;
    if (key && got !== '') {
      if (got[0] === key[0]) {
        ch.core.log('DEBUG', `approving digits '${buf}' via confirm key ${key}`, ch.uuid);
        return true;
      }
      att = 0;
      break;
    }
    att--;
  }
  ch.core.log('DEBUG', `rejecting digits '${buf}' via confirm key ${key ?? '(null)'}`, ch.uuid);
  return false;
}

/** ivr_send_event: CUSTOM `menu::enter` / `menu::exit`, Menu-Name then the channel's data. */
function menuEvent(ch: AppChannel, subclass: 'menu::enter' | 'menu::exit', menu: Menu): void {
  const event = ch.core.bus.create('CUSTOM', subclass, { file: 'switch_ivr_menu.c', func: 'ivr_send_event', line: 85 });
  event.addHeader('Menu-Name', menu.name);
  ch.addChannelData(event);
  ch.core.fire(event);
}

/** switch_core_session_exec of `app` with `data`, nested in the menu. */
async function execApp(r: Run, app: string, data: string): Promise<void> {
  await r.s.step(async (done) => {
    if (await r.ch.execute(app, data, done)) await done();
    return undefined;
  });
}

/** exec_app (`exec-on-max-failures` / `-timeouts`): `<app> <data>`, the data expanded. */
async function execOnMax(r: Run, appStr: string): Promise<void> {
  const space = appStr.indexOf(' ');
  const app = space < 0 ? appStr : appStr.slice(0, space);
  const data = space < 0 ? '' : await r.ch.expand(appStr.slice(space + 1));
  await execApp(r, app, data);
}

function setTts(ch: AppChannel, menu: Menu): void {
  if (menu.ttsEngine && menu.ttsVoice) {
    ch.setVariable('tts_engine', menu.ttsEngine);
    ch.setVariable('tts_voice', menu.ttsVoice);
  }
}

/** The menu's pin: switch_play_and_get_digits of its length, 3 tries, `#`, 3 s, 10 s between digits; true when it was given. */
async function askPin(r: Run, pin: string, menu: Menu): Promise<boolean> {
  let ok = false;
  const spec = {
    min: pin.length,
    max: pin.length,
    tries: 3,
    timeout: 3000,
    terminators: '#',
    prompt: menu.pinFile,
    invalidFile: menu.badPinFile,
    variable: undefined,
    regex: `^${pin}$`,
    digitTimeout: 10000,
    transferOnFailure: undefined,
  };
  await r.s.step((done) =>
    playAndGetDigits(r.ch, spec, async (success) => {
      ok = success;
      await done();
    }),
  );
  return ok;
}

/** switch_ivr_menu_execute: runs the menu `name` of the stack until it is left; its status. */
async function executeMenu(r: Run, name: string): Promise<Status> {
  const { ch } = r;
  const log = (level: 'ERR' | 'DEBUG', text: string) => ch.core.log(level, text, ch.uuid);
  let status: Status = 'success';
  let menu: Menu | undefined;
  try {
    if (++r.depth > 12) {
      log('ERR', 'Too many levels of recursion.');
      return 'false';
    }
    if (name === '') {
      log('ERR', 'Invalid menu context');
      return 'false';
    }
    menu = r.stack.find((m) => m.name === name);
    if (!menu) {
      log('ERR', 'Invalid Menu!');
      return 'false';
    }
    setTts(ch, menu);
    log('DEBUG', `Executing IVR menu ${menu.name}`);
    ch.setVariable('ivr_menu_status', 'success');
    menuEvent(ch, 'menu::enter', menu);
    if (menu.pin && !(await askPin(r, menu.pin, menu))) return 'false';

    let errs = 0;
    let timeouts = 0;
    let running = true;
    for (let reps = 0; running && status === 'success'; reps++) {
      if (!r.ready()) break;
      if (errs === menu.maxFailures) {
        log('DEBUG', 'Maximum failures');
        ch.setVariable('ivr_menu_status', 'failure');
        if (menu.execOnMaxFail) await execOnMax(r, menu.execOnMaxFail);
        break;
      }
      if (timeouts === menu.maxTimeouts) {
        log('DEBUG', 'Maximum timeouts');
        ch.setVariable('ivr_menu_status', 'timeout');
        if (menu.execOnMaxTimeout) await execOnMax(r, menu.execOnMaxTimeout);
        break;
      }
      const greeting = reps > 0 && menu.greetShort ? menu.greetShort : menu.greetLong;
      let match = 0;
      const collected = await playAndCollect(r, menu, greeting, menu.inlen);
      const buf = collected.digits;
      if (collected.status === 'timeout' && buf === '') {
        timeouts++;
        continue;
      }
      if (buf !== '') {
        for (const ap of menu.actions) {
          setTts(ch, menu);
          let ok = false;
          let arg = ap.param;
          if (ap.bind.startsWith('/')) {
            const result = regexPerform(buf, ap.bind);
            ok = result.matched;
            if (ok) arg = substitute(result.match, ap.param);
            log('DEBUG', `action regex [${buf}] [${ap.bind}] [${ok ? 1 : 0}]`);
          } else {
            ok = buf === ap.bind;
          }
          if (!ok) continue;
          match++;
          errs = 0;
          log('DEBUG', `IVR action on menu '${menu.name}' matched '${buf}' param '${arg}'`);
          log('DEBUG', `switch_ivr_menu_execute todo=[${ACTIONS.indexOf(ap.action)}]`);
          switch (ap.action) {
            case 'menu-exit':
              status = 'false';
              break;
            case 'menu-play-sound':
              status = await playOne(ch, r.s, arg, () => undefined);
              break;
            case 'menu-sub':
              if (arg === menu.name) {
                status = 'success';
              } else {
                reps = -1;
                menuEvent(ch, 'menu::exit', menu);
                status = await executeMenu(r, arg);
                menuEvent(ch, 'menu::enter', menu);
              }
              break;
            case 'menu-exec-app': {
              status = 'false';
              const space = arg.indexOf(' ');
              const app = space < 0 ? arg : arg.slice(0, space);
              if (app !== '' && ch.hasApplication(app)) {
                if (menu.transferSound && app === 'transfer') await playAndCollect(r, menu, menu.transferSound, 0);
                await execApp(r, app, space < 0 ? '' : arg.slice(space + 1));
                status = 'success';
              }
              break;
            }
            case 'menu-back':
              running = false;
              status = 'success';
              break;
            case 'menu-top':
              r.fallToMain = true;
              status = 'break';
              break;
          }
        }
        // the top menu catches a menu-top from any depth and starts over
        if (menu === r.stack[0] && r.fallToMain) {
          r.fallToMain = false;
          status = 'success';
          running = true;
          continue;
        }
      }
      if (!match) {
        if (buf !== '') {
          log('DEBUG', `IVR menu '${menu.name}' caught invalid input '${buf}'`);
          if (menu.invalidSound) await playAndCollect(r, menu, menu.invalidSound, 0);
        } else {
          log('DEBUG', `IVR menu '${menu.name}' no input detected`);
        }
        errs++;
        if (status === 'break') status = 'success';
      }
    }
    if (r.depth === 1) {
      log('DEBUG', `exit-sound '${menu.exitSound ?? '(null)'}'`);
      if (menu.exitSound) status = (await playAndCollect(r, menu, menu.exitSound, 0)).status;
    }
    return status;
  } finally {
    r.depth--;
    if (menu) menuEvent(ch, 'menu::exit', menu);
  }
}

/** The six bindings switch_ivr_menu_stack_xml_init adds, each logged (the list is built top-first). */
function logBindings(log: Log): void {
  for (const name of ACTIONS) log('DEBUG', `switch_ivr_menu_stack_xml_add binding '${name}'`);
}

/** ivr_application_function, reading ivr.conf through `conf` (XML-fetch bindings first, then the static XML). */
export function ivrMenuApplication(conf: ConfigurationSource): Application {
  return {
    name: 'ivr',
    needsMedia: true,
    run: async (ch, data, done) => {
      const log: Log = (level, text) => ch.core.log(level, text, ch.uuid);
      const params = ch.core.bus.create('REQUEST_PARAMS');
      params.addHeader('Menu-Name', data);
      ch.addChannelData(params);
      const cfg = await openCfg(conf, IVR_CONF, params);
      const menus = cfg && child(cfg, 'menus');
      const el = menus && findChild(menus, 'menu', 'name', data);
      const stack: Menu[] = [];
      let built = false;
      if (!cfg) log('ERR', `Open of ${IVR_CONF} failed`);
      else if (!menus) log('ERR', 'No menus configured');
      else if (!el) log('ERR', 'Unable to find menu');
      else {
        logBindings((level, text) => ch.core.log(level, text));
        built = buildMenu(stack, menus, el, (level, text) => ch.core.log(level, text));
        if (!built) log('ERR', 'Unable to create menu');
      }
      if (!built) {
        await done();
        return undefined;
      }
      let stopped = false;
      const interrupt = await runScript(async (s) => {
        const run: Run = {
          ch,
          s,
          stack,
          depth: 0,
          fallToMain: false,
          ready: () => !stopped && !ch.hungUp && ch.view.state === ch.view.running,
        };
        await executeMenu(run, data);
      }, done);
      return (
        interrupt &&
        (() => {
          stopped = true;
          return interrupt();
        })
      );
    },
  };
}
