/**
 * Phrase macros: the `phrase` application and `playback phrase:` (switch_ivr_phrase_macro_event):
 * the macro lookup (groups, errors), inputs with captures, match / nomatch, break_on_match, the
 * actions (play-file under the language's prefix, say, execute, phrase, break, speak-text), the
 * pause, digits and the application's response.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { separateParenArgs } from '../src/say/phrase.ts';
import { type Setup, setup } from './switch_helpers.ts';

const CONF = `<?xml version="1.0"?>
<document type="freeswitch/xml">
  <section name="languages">
    <language name="en" say-module="en" sound-prefix="/snd/en">
      <phrases>
        <macros>
          <macro name="count">
            <input pattern="^(\\d+)$">
              <match>
                <action function="play-file" data="ivr/you_have.wav"/>
                <action function="say" data="$1" method="pronounced" type="items"/>
                <action function="play-file" data="ivr/messages.wav"/>
              </match>
            </input>
            <input pattern=".*">
              <nomatch><action function="play-file" data="never.wav"/></nomatch>
            </input>
          </macro>
          <macro name="pick" pause="0">
            <input pattern="^a" break_on_match="true"><match><action function="play-file" data="a.wav"/></match></input>
            <input pattern="^b"><match><action function="play-file" data="b.wav"/></match>
              <nomatch><action function="play-file" data="not-b.wav"/></nomatch></input>
            <input field="\${pick_var}" pattern="^yes$"><match><action function="play-file" data="var-\${pick_var}.wav"/></match></input>
          </macro>
          <macro name="acts">
            <input>
              <match>
                <action function="execute" data="set(acted=\${macro_arg})"/>
                <action function="phrase" phrase="pick" data="b"/>
                <action function="speak-text" data="hello"/>
                <action function="break"/>
                <action function="play-file" data="after-break.wav"/>
              </match>
            </input>
          </macro>
          <macro name="badapp"><input><match><action function="execute" data="nosuchapp(x)"/><action function="play-file" data="x.wav"/></match></input></macro>
          <macro name="empty"/>
        </macros>
        <macros name="voicemail" sound-prefix="/snd/vm">
          <macro name="hello"><input><match><action function="play-file" data="vm-hello.wav"/></match></input></macro>
        </macros>
      </phrases>
    </language>
  </section>
  <section name="dialplan"><context name="default"/></section>
</document>`;

describe('the phrase application', () => {
  let dir: string;
  let t: Setup;
  const U1 = '11111111-1111-4111-8111-111111111111';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'phrase-'));
    writeFileSync(join(dir, 'freeswitch.xml'), CONF);
    t = await setup({ confDir: dir, dialplan: undefined });
  });
  afterAll(async () => {
    await t?.sw.stop();
    await t?.rt.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await t.sw.originate(`{origination_uuid=${U1},playback_duration_ms=200,sound_prefix=/mine}null/1 &park()`);
    await t.settle();
    t.sub.take();
    t.logs.length = 0;
    return async () => {
      await t.sw.api(`uuid_kill ${U1}`);
      await t.settle();
    };
  });

  /** Runs `app` on the parked channel and lets the clock go: the files played, in order, and the app's response. */
  async function run(app: string, ms = 3000, digitAt?: [number, string]) {
    const [name = '', ...arg] = app.split(' ');
    await t.sw.sendmsg(U1, [
      ['call-command', 'execute'],
      ['execute-app-name', name],
      ['execute-app-arg', arg.join(' ')],
    ]);
    await t.settle();
    for (let at = 0; at < ms; at += 50) {
      if (digitAt && at === digitAt[0]) await t.sw.api(`uuid_recv_dtmf ${U1} ${digitAt[1]}`);
      await t.clock.advance(50);
      await t.settle();
    }
    const events = t.sub.take();
    const files = events.filter((e) => e.type === 'PLAYBACK_START').map((e) => e.getHeader('Playback-File-Path'));
    const complete = events.filter((e) => e.type === 'CHANNEL_EXECUTE_COMPLETE');
    return { files, events, complete, response: complete.at(-1)?.getHeader('Application-Response') };
  }

  it('matches the data with captures and plays each action, saying $1 with the say module; PHRASE PLAYED', async () => {
    const r = await run('phrase count,3');
    expect(r.files).toEqual(['/snd/en/ivr/you_have.wav', 'file_string://digits/3.wav', '/snd/en/ivr/messages.wav']);
    expect(r.response).toBe('PHRASE PLAYED');
    expect(t.logs.filter((l) => l.includes('Handle'))).toEqual([
      'DEBUG Handle play-file:[ivr/you_have.wav] (en:en)',
      'DEBUG Handle say:[3] (en:en)',
      'DEBUG Handle play-file:[ivr/messages.wav] (en:en)',
    ]);
    expect(t.logs).toContain('DEBUG Execute count(3) lang ');
    expect(t.logs).toContain('DEBUG No language specified - Using [en]');
    // 200 ms a file and 100 ms after each action
    const stops = r.events.filter((e) => e.type.startsWith('PLAYBACK')).map((e) => Number(e.getHeader('Event-Date-Timestamp')) / 1000);
    expect(stops[2]! - stops[1]!).toBe(100);
  });

  it('plays under the language’s sound prefix, a group’s own (name@group), and gives the channel’s back', async () => {
    const prefixes: string[] = [];
    const off = t.sw.events.subscribe({
      name: 'p',
      types: ['PLAYBACK_START'],
      handler: (e) => void prefixes.push(e.getHeader('variable_sound_prefix') ?? ''),
    });
    await run('phrase count,1');
    await run('phrase hello@voicemail');
    expect(prefixes).toEqual(['/snd/en', '/snd/en', '/snd/en', '/snd/vm']);
    expect(await t.sw.api(`uuid_getvar ${U1} sound_prefix`)).toBe('/mine');
    off.unsubscribe?.();
  });

  it('nomatch actions, break_on_match, and a field expanded from the channel', async () => {
    expect((await run('phrase pick,apple')).files).toEqual(['/snd/en/a.wav']);
    expect((await run('phrase pick,zebra')).files).toEqual(['/snd/en/not-b.wav']);
    await t.sw.api(`uuid_setvar ${U1} pick_var yes`);
    expect((await run('phrase pick,b')).files).toEqual(['/snd/en/b.wav', '/snd/en/var-yes.wav']);
  });

  it('execute runs a nested application, phrase a nested macro, speak-text without TTS logs, break ends the macro', async () => {
    await t.sw.api(`uuid_setvar ${U1} macro_arg 42`);
    const r = await run('phrase acts');
    expect(r.complete.map((e) => e.getHeader('Application'))).toEqual(['set', 'phrase']);
    expect(await t.sw.api(`uuid_getvar ${U1} acted`)).toBe('42');
    expect(r.files).toEqual(['/snd/en/b.wav']);
    expect(t.logs).toContain('ERR TTS is not configured');
    expect(r.response).toBe('PHRASE PLAYED');
  });

  it('an unknown application ends the macro: Invalid Application, UNKNOWN ERROR', async () => {
    const r = await run('phrase badapp');
    expect(t.logs).toContain('ERR Invalid Application nosuchapp');
    expect(r.files).toEqual([]);
    expect(r.response).toBe('UNKNOWN ERROR');
  });

  it('logs a missing macro, group or input tags, and a data no input matched', async () => {
    expect((await run('phrase nosuch,1', 200)).response).toBe('UNKNOWN ERROR');
    await run('phrase hello@nogroup', 200);
    await run('phrase empty', 200);
    await run('phrase pick,zzz', 200);
    expect(t.logs.filter((l) => l.startsWith('ERR') || l.startsWith('WARNING'))).toEqual([
      "ERR Can't find macro nosuch.",
      "ERR Can't find macros group nogroup.",
      "ERR Can't find any input tags.",
    ]);
    expect((await run('phrase', 200)).response).toBe('NOTHING');
    await run('phrase count,x', 200);
    expect(t.logs).toContain("WARNING Macro [count]: 'x' did not match any patterns");
  });

  it('a terminator digit ends the macro (playback_terminator_used); uuid_break does too', async () => {
    const r = await run('phrase count,2', 2000, [100, '*']);
    expect(r.files).toEqual(['/snd/en/ivr/you_have.wav']);
    expect(r.response).toBe('PHRASE PLAYED');
    expect(await t.sw.api(`uuid_getvar ${U1} playback_terminator_used`)).toBe('*');
    await t.sw.sendmsg(U1, [
      ['call-command', 'execute'],
      ['execute-app-name', 'phrase'],
      ['execute-app-arg', 'count,5'],
    ]);
    await t.settle();
    await t.clock.advance(100);
    await t.settle();
    await t.sw.api(`uuid_break ${U1}`);
    for (let i = 0; i < 40; i++) {
      await t.clock.advance(50);
      await t.settle();
    }
    const files = t.sub
      .take()
      .filter((e) => e.type === 'PLAYBACK_START')
      .map((e) => e.getHeader('Playback-File-Path'));
    expect(files).toEqual(['/snd/en/ivr/you_have.wav']);
  });

  it('playback phrase:<macro>:<data> runs the macro in the channel’s language; say: without tts_engine is Invalid Args', async () => {
    const r = await run('playback phrase:count:7');
    expect(r.files).toEqual(['/snd/en/ivr/you_have.wav', 'file_string://digits/7.wav', '/snd/en/ivr/messages.wav']);
    expect(r.response).toBe('FILE PLAYED');
    expect((await run('playback say:hello', 200)).response).toBe('FILE PLAYED');
    expect(t.logs).toContain('ERR Invalid Args');
    await t.sw.api(`uuid_setvar ${U1} language fr`);
    expect((await run('playback phrase:count:7', 200)).response).toBe('PLAYBACK ERROR');
    expect(t.logs).toContain("ERR Can't find language fr.");
  });

  it('a hangup ends the macro', async () => {
    await t.sw.sendmsg(U1, [
      ['call-command', 'execute'],
      ['execute-app-name', 'phrase'],
      ['execute-app-arg', 'count,5'],
    ]);
    await t.settle();
    await t.sw.api(`uuid_kill ${U1}`);
    await t.settle();
    const types = t.sub.take().map((e) => e.type);
    expect(types).toContain('CHANNEL_DESTROY');
    expect(types.filter((x) => x === 'PLAYBACK_START')).toHaveLength(1);
  });
});

describe('separateParenArgs', () => {
  it('cuts app(args) at the balancing paren', () => {
    expect(separateParenArgs('set(a=(b))x')).toEqual(['set', 'a=(b)']);
    expect(separateParenArgs('answer')).toEqual(['answer', undefined]);
  });
});
