/** The `ivr` application: ivr.conf menus as switch_ivr_menu.c builds and runs them. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { staticDialplan } from '../src/dialplan/dialplan.ts';
import type { SwitchEvent } from '../src/index.ts';
import { type Setup, at, callNull, setup, stopSetup } from './switch_helpers.ts';

/** A conf dir whose freeswitch.xml holds ivr.conf with these `<menu>`s (no ivr.conf at all for undefined). */
function confWithMenus(menus: string | undefined): string {
  const dir = mkdtempSync(join(tmpdir(), 'beamline-ivr-conf-'));
  const section = menus === undefined ? '' : `<configuration name="ivr.conf"><menus>${menus}</menus></configuration>`;
  writeFileSync(
    join(dir, 'freeswitch.xml'),
    `<document type="freeswitch/xml"><section name="configuration">${section}</section>${LANGUAGES}</document>\n`,
  );
  return dir;
}

/** A phrase macro reading the input back, for confirm-macro. */
const LANGUAGES = `<section name="languages"><language name="en" say-module="en"><phrases><macros>
<macro name="readback"><input pattern="^(\\d+)$"><match><action function="play-file" data="/s/you_entered.wav"/></match></input></macro>
<macro name="greet"><input pattern="(.*)"><match><action function="play-file" data="/s/g1.wav"/><action function="play-file" data="/s/g2.wav"/></match></input></macro>
</macros></phrases></language></section>`;

const MAIN = `
<menu name="main" greet-long="/s/long.wav" greet-short="/s/short.wav" invalid-sound="/s/invalid.wav" exit-sound="/s/bye.wav"
      timeout="3000" inter-digit-timeout="1000" max-failures="2" max-timeouts="2">
  <entry action="menu-exec-app" digits="1" param="set picked=one"/>
  <entry action="menu-play-sound" digits="2" param="/s/two.wav"/>
  <entry action="menu-exec-app" digits="3" param="transfer 9000 XML default"/>
  <entry action="menu-sub" digits="6" param="sub"/>
  <entry action="menu-top" digits="9"/>
  <entry action="menu-exit" digits="0"/>
</menu>
<menu name="sub" greet-long="/s/sub.wav" greet-short="/s/sub_short.wav" timeout="2000">
  <entry action="menu-top" digits="*"/>
  <entry action="menu-back" digits="8"/>
  <entry action="menu-sub" digits="7" param="deep"/>
</menu>
<menu name="deep" greet-long="/s/deep.wav" exit-sound="/s/deep_bye.wav">
  <entry action="menu-top" digits="*"/>
  <entry action="menu-back" digits="8"/>
</menu>
<menu name="dial" tts-engine="flite" tts-voice="rms" greet-long="/s/dial.wav" digit-len="3" timeout="4000" inter-digit-timeout="1500" max-failures="1"
      exec-on-max-failures="set gave_up=\${picked}">
  <entry action="menu-exec-app" digits="/^(4\\d)$/" param="set picked=$1"/>
  <entry action="menu-exec-app" digits="/^4/" param="set also=yes"/>
</menu>
<menu name="locked" pin="1234" pin-file="/s/pin.wav" bad-pin-file="/s/badpin.wav" greet-long="/s/locked.wav" exit-sound="/s/bye.wav">
  <entry action="menu-exit" digits="0"/>
</menu>
<menu name="confirm" greet-long="/s/c.wav" digit-len="2" confirm-macro="readback" confirm-key="1" timeout="2000">
  <entry action="menu-exec-app" digits="42" param="set picked=42"/>
</menu>
<menu name="r1" greet-long="/s/r1.wav" transfer-sound="/s/xfer.wav"><entry action="menu-sub" digits="1" param="r2"/>
  <entry action="menu-exec-app" digits="3" param="transfer 9000 XML default"/><entry action="menu-exec-app" digits="4" param="nosuchapp x"/></menu>
<menu name="r2" greet-long="/s/r2.wav"><entry action="menu-sub" digits="1" param="r1"/></menu>
<menu name="phr" greet-long="phrase:greet" exit-sound="phrase:greet" timeout="2000" max-timeouts="1">
  <entry action="menu-exec-app" digits="1" param="set picked=p1"/>
</menu>
<menu name="bad" greet-long="/s/x.wav">
  <entry action="menu-jump" digits="1"/>
</menu>`;

let t: Setup;
afterEach(async () => {
  await stopSetup(t);
});

async function start(menus: string | null = MAIN, exten = 'main'): Promise<string> {
  t = await setup({
    confDir: confWithMenus(menus ?? undefined),
    dialplan: staticDialplan({
      default: {
        main: [['answer'], ['ivr', 'main'], ['set', 'after_ivr=${ivr_menu_status}'], ['park']],
        dial: [['answer'], ['ivr', 'dial'], ['park']],
        locked: [['answer'], ['ivr', 'locked'], ['set', 'after_ivr=yes'], ['park']],
        confirm: [['answer'], ['ivr', 'confirm'], ['park']],
        r1: [['answer'], ['ivr', 'r1'], ['set', 'after_ivr=yes'], ['park']],
        phr: [['answer'], ['ivr', 'phr'], ['park']],
        bad: [['answer'], ['ivr', 'bad'], ['set', 'after_ivr=yes'], ['park']],
        none: [['answer'], ['ivr', 'nosuch'], ['set', 'after_ivr=yes'], ['park']],
        '9000': [['set', 'transferred=yes'], ['park']],
      },
    }),
  });
  return callNull(t, exten);
}

/** The channel's trace: files played, menu events, applications run (the test's own parks and answer left out). */
function trace(events: SwitchEvent[]): string[] {
  const out: string[] = [];
  for (const e of events) {
    const h = (n: string) => e.getHeader(n) ?? '-';
    if (e.type === 'PLAYBACK_START') out.push(`play ${h('Playback-File-Path')}`);
    else if (e.type === 'CUSTOM' && h('Event-Subclass').startsWith('menu::')) out.push(`${h('Event-Subclass')} ${h('Menu-Name')}`);
    else if (e.type === 'CHANNEL_EXECUTE' && !['answer', 'park'].includes(h('Application')))
      out.push(`exec ${h('Application')}(${h('Application-Data')})`);
  }
  return out;
}

const dtmf = async (uuid: string, digits: string) => {
  expect(await t.sw.api(`uuid_recv_dtmf ${uuid} ${digits}`)).toMatch(/^\+OK /);
  await t.settle();
};
const getvar = async (uuid: string, name: string) => (await t.sw.api(`uuid_getvar ${uuid} ${name}`)).trim();

describe('ivr: a single menu (switch_ivr_menu_execute)', () => {
  it('no input: greet-long, then greet-short, until max-timeouts; then the exit sound and ivr_menu_status=timeout', async () => {
    const uuid = await start();
    // 1 s greeting + 3 s timeout, twice, then the exit sound
    await at(t, 4500);
    expect(trace(t.sub.take())).toEqual(['exec ivr(main)', 'menu::enter main', 'play /s/long.wav', 'play /s/short.wav']);
    await at(t, 10_000);
    expect(trace(t.sub.take())).toEqual(['play /s/bye.wav', 'menu::exit main', 'exec set(after_ivr=timeout)']);
    expect(t.logs).toContain('DEBUG Executing IVR menu main');
    expect(t.logs).toContain('DEBUG waiting for 1/1 digits t/o 1000');
    expect(t.logs).toContain('DEBUG Maximum timeouts');
    expect(t.logs).toContain("DEBUG exit-sound '/s/bye.wav'");
    expect(t.logs.filter((l) => l.includes('no input detected'))).toEqual([]);
    expect(await getvar(uuid, 'ivr_menu_status')).toBe('timeout');
  });

  it('a digit during the greeting cuts it short and is matched; menu-exec-app runs the application, menu-exit leaves', async () => {
    const uuid = await start();
    await at(t, 300);
    await dtmf(uuid, '1');
    await at(t, 600);
    expect(await getvar(uuid, 'picked')).toBe('one');
    expect(t.logs).toContain("DEBUG IVR action on menu 'main' matched '1' param 'set picked=one'");
    expect(t.logs).toContain('DEBUG switch_ivr_menu_execute todo=[2]');
    await dtmf(uuid, '2');
    await at(t, 2000);
    await dtmf(uuid, '0');
    await at(t, 5000);
    expect(trace(t.sub.take())).toEqual([
      'exec ivr(main)',
      'menu::enter main',
      'play /s/long.wav',
      'exec set(picked=one)',
      'play /s/short.wav',
      'play /s/two.wav',
      'play /s/short.wav',
      'play /s/bye.wav',
      'menu::exit main',
      'exec set(after_ivr=success)',
    ]);
  });

  it('invalid input plays the invalid sound and counts a failure; max-failures ends it with ivr_menu_status=failure', async () => {
    const uuid = await start();
    await dtmf(uuid, '5');
    await at(t, 1500);
    await dtmf(uuid, '#');
    await at(t, 4000);
    expect(trace(t.sub.take())).toEqual([
      'exec ivr(main)',
      'menu::enter main',
      'play /s/long.wav',
      'play /s/invalid.wav',
      'play /s/short.wav',
      'play /s/invalid.wav',
      'play /s/bye.wav',
      'menu::exit main',
      'exec set(after_ivr=failure)',
    ]);
    expect(t.logs).toContain("DEBUG IVR menu 'main' caught invalid input '5'");
    // `#` alone, typed during the greeting, is the input (the greeting's digit is not checked for a terminator)
    expect(t.logs).toContain("DEBUG IVR menu 'main' caught invalid input '#'");
    expect(t.logs).toContain('DEBUG Maximum failures');
  });

  it('menu-exec-app transfer: the call goes to the new extension and the menu ends there', async () => {
    const uuid = await start();
    await dtmf(uuid, '3');
    await at(t, 2000);
    expect(await getvar(uuid, 'transferred')).toBe('yes');
    expect(trace(t.sub.take())).toEqual([
      'exec ivr(main)',
      'menu::enter main',
      'play /s/long.wav',
      'exec transfer(9000 XML default)',
      'menu::exit main',
      'exec set(transferred=yes)',
    ]);
    expect(await getvar(uuid, 'after_ivr')).toBe('_undef_');
  });
});

describe('ivr: sub-menus', () => {
  it('menu-sub enters the sub-menu; menu-back returns to the parent, which greets long again', async () => {
    const uuid = await start();
    await dtmf(uuid, '6');
    await at(t, 500);
    await dtmf(uuid, '8');
    await at(t, 1000);
    await dtmf(uuid, '0');
    await at(t, 3000);
    expect(trace(t.sub.take())).toEqual([
      'exec ivr(main)',
      'menu::enter main',
      'play /s/long.wav',
      'menu::exit main',
      'menu::enter sub',
      'play /s/sub.wav',
      'menu::exit sub',
      'menu::enter main',
      'play /s/long.wav',
      // only the top menu (stack_count 1) plays its exit sound
      'play /s/bye.wav',
      'menu::exit main',
      'exec set(after_ivr=success)',
    ]);
    expect(await getvar(uuid, 'after_ivr')).toBe('success');
  });

  it('menu-top from two levels down goes back to the top menu; a sub-menu exits without its exit sound', async () => {
    const uuid = await start();
    await dtmf(uuid, '6');
    await dtmf(uuid, '7');
    await at(t, 500);
    await dtmf(uuid, '*');
    await at(t, 1000);
    await dtmf(uuid, '0');
    await at(t, 3000);
    expect(trace(t.sub.take())).toEqual([
      'exec ivr(main)',
      'menu::enter main',
      'play /s/long.wav',
      'menu::exit main',
      'menu::enter sub',
      'play /s/sub.wav',
      'menu::exit sub',
      'menu::enter deep',
      'play /s/deep.wav',
      'menu::exit deep',
      'menu::enter sub',
      'menu::exit sub',
      'menu::enter main',
      'play /s/long.wav',
      'play /s/bye.wav',
      'menu::exit main',
      'exec set(after_ivr=success)',
    ]);
  });

  it('a sub-menu that reaches max-timeouts returns to its parent, which goes on', async () => {
    const uuid = await start();
    await dtmf(uuid, '6');
    // sub: 1 s greeting + 2 s timeout, three times (max-timeouts defaults to 3)
    await at(t, 10_000);
    expect(trace(t.sub.take())).toEqual([
      'exec ivr(main)',
      'menu::enter main',
      'play /s/long.wav',
      'menu::exit main',
      'menu::enter sub',
      'play /s/sub.wav',
      'play /s/sub_short.wav',
      'play /s/sub_short.wav',
      'menu::exit sub',
      'menu::enter main',
      'play /s/long.wav',
    ]);
    expect(await getvar(uuid, 'ivr_menu_status')).toBe('timeout');
  });
});

describe('ivr: digits, regex entries, exec-on-max-failures', () => {
  it('digit-len digits with inter-digit-timeout; a /regex/ entry substitutes $1 and every matching entry runs', async () => {
    t = await setup({
      confDir: confWithMenus(MAIN),
      dialplan: staticDialplan({ default: { dial: [['answer'], ['ivr', 'dial'], ['park']] } }),
    });
    const uuid = await callNull(t, 'dial');
    await dtmf(uuid, '4');
    await at(t, 1200);
    await dtmf(uuid, '2');
    // 1.5 s after the last digit the input is `42`
    await at(t, 2600);
    expect(await getvar(uuid, 'picked')).toBe('_undef_');
    await at(t, 2700);
    expect(await getvar(uuid, 'picked')).toBe('42');
    expect(await getvar(uuid, 'also')).toBe('yes');
    expect([await getvar(uuid, 'tts_engine'), await getvar(uuid, 'tts_voice')]).toEqual(['flite', 'rms']);
    expect(t.logs).toContain('DEBUG waiting for 2/3 digits t/o 1500');
    expect(t.logs).toContain("DEBUG digits '42'");
    expect(t.logs).toContain('DEBUG action regex [42] [/^(4\\d)$/] [1]');
    expect(t.logs).toContain("DEBUG IVR action on menu 'dial' matched '42' param 'set picked=42'");
    // then a wrong entry: one failure is the maximum, and exec-on-max-failures runs (expanded)
    await dtmf(uuid, '55#');
    await at(t, 5000);
    expect(await getvar(uuid, 'gave_up')).toBe('42');
    expect(await getvar(uuid, 'ivr_menu_status')).toBe('failure');
  });
});

describe('ivr: a menu with a pin', () => {
  it('the right pin opens the menu', async () => {
    const uuid = await start(MAIN, 'locked');
    await dtmf(uuid, '1234');
    await at(t, 1500);
    await dtmf(uuid, '0');
    await at(t, 3000);
    expect(trace(t.sub.take())).toEqual([
      'exec ivr(locked)',
      'menu::enter locked',
      'play /s/pin.wav',
      'play /s/locked.wav',
      'play /s/bye.wav',
      'menu::exit locked',
      'exec set(after_ivr=yes)',
    ]);
  });

  it('three wrong pins: bad-pin-file after each, then the menu ends without its greeting or exit sound', async () => {
    const uuid = await start(MAIN, 'locked');
    await dtmf(uuid, '999999999999');
    await at(t, 5000);
    expect(trace(t.sub.take())).toEqual([
      'exec ivr(locked)',
      'menu::enter locked',
      'play /s/pin.wav',
      'play /s/badpin.wav',
      'play /s/pin.wav',
      'play /s/badpin.wav',
      'play /s/pin.wav',
      'play /s/badpin.wav',
      'menu::exit locked',
      'exec set(after_ivr=yes)',
    ]);
  });
});

describe('ivr: phrase: sounds', () => {
  it('a phrase: greeting plays the macro; a digit during it ends the macro and is the input', async () => {
    const uuid = await start(MAIN, 'phr');
    await at(t, 1300);
    await dtmf(uuid, '1');
    await at(t, 1500);
    expect(await getvar(uuid, 'picked')).toBe('p1');
    // then no input: the whole macro again, the timeout, the exit sound (the macro) in full
    await at(t, 10_000);
    expect(trace(t.sub.take())).toEqual([
      'exec ivr(phr)',
      'menu::enter phr',
      'play /s/g1.wav',
      'play /s/g2.wav',
      'exec set(picked=p1)',
      'play /s/g1.wav',
      'play /s/g2.wav',
      'play /s/g1.wav',
      'play /s/g2.wav',
      'menu::exit phr',
    ]);
  });
});

describe('ivr: confirm-macro and confirm-key', () => {
  it('the macro reads the input back; the confirm key accepts it, another key rejects it (no input)', async () => {
    const uuid = await start(MAIN, 'confirm');
    await dtmf(uuid, '42');
    await at(t, 300);
    await dtmf(uuid, '1');
    await at(t, 600);
    expect(await getvar(uuid, 'picked')).toBe('42');
    expect(t.logs).toContain("DEBUG approving digits '42' via confirm key 1");
    await dtmf(uuid, '429');
    await at(t, 1000);
    expect(t.logs).toContain("DEBUG rejecting digits '42' via confirm key 1");
    expect(t.logs).toContain("DEBUG IVR menu 'confirm' no input detected");
    expect(trace(t.sub.take()).slice(0, 6)).toEqual([
      'exec ivr(confirm)',
      'menu::enter confirm',
      'play /s/c.wav',
      'play /s/you_entered.wav',
      'exec set(picked=42)',
      'play /s/c.wav',
    ]);
  });
});

describe('ivr: transfer-sound, unknown applications, recursion, hangup', () => {
  it('transfer-sound plays before a menu-exec-app transfer', async () => {
    const uuid = await start(MAIN, 'r1');
    await dtmf(uuid, '3');
    await at(t, 2000);
    expect(trace(t.sub.take())).toEqual([
      'exec ivr(r1)',
      'menu::enter r1',
      'play /s/r1.wav',
      'play /s/xfer.wav',
      'exec transfer(9000 XML default)',
      'menu::exit r1',
      'exec set(transferred=yes)',
    ]);
  });

  it('menu-exec-app of an application the switch lacks ends the menu (exit sound, no hangup)', async () => {
    const uuid = await start(MAIN, 'r1');
    await dtmf(uuid, '4');
    await at(t, 2000);
    expect(await getvar(uuid, 'after_ivr')).toBe('yes');
  });

  it('menus that enter each other stop at 12 levels: ERR `Too many levels of recursion.`, and every level leaves', async () => {
    const uuid = await start(MAIN, 'r1');
    await dtmf(uuid, '1'.repeat(12));
    await at(t, 2000);
    expect(t.logs).toContain('ERR Too many levels of recursion.');
    const events = trace(t.sub.take());
    expect(events.filter((e) => e.startsWith('menu::enter')).length).toBe(events.filter((e) => e.startsWith('menu::exit')).length);
    expect(events.filter((e) => e.startsWith('menu::exit')).length).toBe(12 + 12);
    expect(await getvar(uuid, 'after_ivr')).toBe('yes');
  });

  it('a hangup while the menu waits for digits ends it: menu::exit, no exit sound', async () => {
    const uuid = await start();
    await at(t, 1500);
    expect(await t.sw.api(`uuid_kill ${uuid}`)).toBe('+OK\n');
    await at(t, 2000);
    const events = trace(t.sub.take());
    expect(events).toEqual(['exec ivr(main)', 'menu::enter main', 'play /s/long.wav', 'menu::exit main']);
    expect(t.logs.filter((l) => l.includes('exit-sound'))).toEqual(["DEBUG exit-sound '/s/bye.wav'"]);
  });
});

describe('ivr: run by sendmsg on a parked call (as an erl handler runs it)', () => {
  it('a digit pressed while no one reads digits (the invalid sound) waits in the queue: it ends the sound and is the next input', async () => {
    t = await setup({ confDir: confWithMenus(MAIN) });
    const uuid = await callNull(t, '&park()');
    const exec = [
      ['call-command', 'execute'],
      ['execute-app-name', 'ivr'],
      ['execute-app-arg', 'main'],
    ];
    expect(await t.sw.sendmsg(uuid, exec)).toBe('ok');
    await t.settle();
    await dtmf(uuid, '5');
    await at(t, 300);
    await dtmf(uuid, '1');
    await at(t, 600);
    expect(await getvar(uuid, 'picked')).toBe('one');
    expect(trace(t.sub.take()).filter((l) => l.startsWith('play'))).toEqual([
      'play /s/long.wav',
      'play /s/invalid.wav',
      'play /s/short.wav',
      'play /s/short.wav',
    ]);
  });
});

describe('digits and applications run from park', () => {
  it('a digit ends a sleep sent to a parked call; back in park it is dropped, so a later read does not get it', async () => {
    t = await setup({ confDir: confWithMenus(MAIN) });
    const uuid = await callNull(t, '&park()');
    const exec = (app: string, arg: string) =>
      t.sw.sendmsg(uuid, [
        ['call-command', 'execute'],
        ['execute-app-name', app],
        ['execute-app-arg', arg],
      ]);
    expect(await exec('sleep', '5000')).toBe('ok');
    await at(t, 500);
    await dtmf(uuid, '7');
    await at(t, 600);
    // switch_ivr_sleep ends on the queued digit (long before its 5 s)
    const completed = t.sub
      .take()
      .filter((e) => e.type === 'CHANNEL_EXECUTE_COMPLETE')
      .map((e) => e.getHeader('Application'));
    expect(completed).toEqual(['sleep']);
    expect(await exec('read', '1 1 silence r 1000 #')).toBe('ok');
    await at(t, 2000);
    // no digit: too few, so failure (switch_ivr_read)
    expect(await getvar(uuid, 'read_result')).toBe('failure');
    expect(await getvar(uuid, 'r')).toBe('_undef_');
  });
});

describe('ivr: bad configuration', () => {
  it('an unknown menu, no ivr.conf, an unknown action: FreeSWITCH’s errors, and the dialplan goes on', async () => {
    await start();
    await at(t, 100);
    expect(t.logs).not.toContain('ERR Unable to find menu');
    await callNull(t, 'none');
    expect(t.logs).toContain('ERR Unable to find menu');
    await callNull(t, 'bad');
    expect(t.logs).toContain('WARNING Invalid Action [menu-jump]');
    expect(t.logs).toContain('ERR Unable to build xml menu');
    expect(t.logs).toContain('ERR Unable to create menu');
    await stopSetup(t);
    const uuid = await start(null, 'none');
    expect(t.logs).toContain('ERR Open of ivr.conf failed');
    expect(await getvar(uuid, 'after_ivr')).toBe('yes');
  });
});

describe('ivr: the demo menu of switchd’s conf', () => {
  it('demo_ivr: 4 digits at most, `5` then `#` enters the sub menu, `*` comes back, `1234` is invalid, a local extension is a transfer', async () => {
    t = await setup({ confDir: join(import.meta.dirname, '..', '..', '..', 'apps', 'switchd', 'conf') });
    const uuid = await callNull(t, '&ivr(demo_ivr)');
    await dtmf(uuid, '5#');
    await at(t, 500);
    await dtmf(uuid, '*');
    await at(t, 1000);
    await dtmf(uuid, '1234');
    await at(t, 3000);
    expect(trace(t.sub.take()).filter((l) => !l.startsWith('play'))).toEqual([
      'exec ivr(demo_ivr)',
      'menu::enter demo_ivr',
      'menu::exit demo_ivr',
      'menu::enter demo_ivr_submenu',
      'menu::exit demo_ivr_submenu',
      'menu::enter demo_ivr',
    ]);
    expect(t.logs).toContain("DEBUG IVR menu 'demo_ivr' caught invalid input '1234'");
    await dtmf(uuid, '1001');
    await at(t, 5000);
    expect(t.logs).toContain("DEBUG IVR action on menu 'demo_ivr' matched '1001' param 'transfer 1001 XML default'");
  });
  it('extension 5000 of the default dialplan answers, waits 2 s and runs demo_ivr', async () => {
    // switchd's conf with its XML dialplan (the helper's static one stands aside)
    t = await setup({ confDir: join(import.meta.dirname, '..', '..', '..', 'apps', 'switchd', 'conf'), dialplan: undefined });
    await callNull(t, '5000 XML default');
    await at(t, 2500);
    expect(trace(t.sub.take()).filter((l) => l.startsWith('exec') || l.startsWith('menu'))).toEqual([
      'exec sleep(2000)',
      'exec ivr(demo_ivr)',
      'menu::enter demo_ivr',
    ]);
  });
});
