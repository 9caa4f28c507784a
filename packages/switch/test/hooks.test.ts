import { describe, expect, it } from 'vitest';
import { hookValues, parseApiHook, parseApiOn, parseExecuteOn } from '../src/channel/hooks.ts';
import { staticDialplan } from '../src/dialplan/dialplan.ts';
import { SwitchEvent } from '../src/events/event.ts';
import { type Setup, setup } from './switch_helpers.ts';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';

/** `<A|B> <type>[ <Application>(<Application-Data>)]` of the calls' events, API events left out. */
function trace(t: Setup): string[] {
  return t.sub
    .take()
    .filter((e) => e.type !== 'API')
    .map((e) => {
      const who = e.getHeader('Unique-ID') === A ? 'A' : e.getHeader('Unique-ID') === B ? 'B' : '?';
      const app = e.getHeader('Application');
      return `${who} ${e.type}${app ? ` ${app}(${e.getHeader('Application-Data') ?? ''})` : ''}`;
    });
}

describe('hook variables: names and splitting (switch_channel.c, switch_core_state_machine.c)', () => {
  it('execute_on values: the app ends at a blank or a single colon; `::` queues it; perl… is always queued', () => {
    expect(parseExecuteOn('set foo=bar baz')).toEqual({ app: 'set', arg: 'foo=bar baz', queued: false });
    expect(parseExecuteOn('set:foo=bar')).toEqual({ app: 'set', arg: 'foo=bar', queued: false });
    expect(parseExecuteOn('playback::/tmp/a b.wav')).toEqual({ app: 'playback', arg: '/tmp/a b.wav', queued: true });
    // a blank before the `::` makes it inline, the `::` part of the argument
    expect(parseExecuteOn('log INFO a::b')).toEqual({ app: 'log', arg: 'INFO a::b', queued: false });
    expect(parseExecuteOn('answer')).toEqual({ app: 'answer', arg: undefined, queued: false });
    expect(parseExecuteOn('perl x.pl')).toEqual({ app: 'perl', arg: 'x.pl', queued: true });
  });

  it('api_on values split at the first blank; the hangup hooks also take `cmd::args`', () => {
    expect(parseApiOn('uuid_setvar u x y')).toEqual({ command: 'uuid_setvar', args: 'u x y' });
    expect(parseApiOn('status')).toEqual({ command: 'status', args: undefined });
    expect(parseApiHook('global_setvar::a=b c')).toEqual({ command: 'global_setvar', args: 'a=b c' });
    // the first `:` decides, wherever it is (api_hook's strchr)
    expect(parseApiHook('global_setvar a=b::c')).toEqual({ command: 'global_setvar a=b', args: 'c' });
    expect(parseApiHook('curl http://x/y')).toEqual({ command: 'curl', args: 'http://x/y' });
  });

  it('every variable whose name starts with the prefix, in any case, array items one by one, in order', () => {
    const vars = new SwitchEvent('CHANNEL_DATA');
    vars.addHeader('execute_on_answer', 'a');
    vars.addHeader('other', 'x');
    vars.addHeader('EXECUTE_ON_ANSWER_2', 'b');
    vars.addHeader('execute_on_answer_list', 'c', 'push');
    vars.addHeader('execute_on_answer_list', 'd', 'push');
    vars.addHeader('execute_on_pre_answer', 'no');
    expect(hookValues(vars.headers, 'execute_on_answer')).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe('execute_on_* and api_on_* on an originated leg', () => {
  it('originate, answer (which is also media) and post_originate run in that order, inline values one after the other', async () => {
    const t = await setup({ globals: [['execute_on_answer_global', 'set from_global=1']] });
    const dial = `{origination_uuid=${A},execute_on_originate='set o=1',execute_on_answer='set x=1',execute_on_answer_2='set y=\${x}2',execute_on_media='set m=1',execute_on_pre_answer='set never=1',execute_on_post_originate='set p=1'}null/1 &park()`;
    expect(await t.sw.originate(dial)).toBe(`+OK ${A}\n`);
    await t.settle();
    const rows = trace(t);
    // CHANNEL_OUTGOING is fired as the leg is made, the originate hooks run before its thread starts
    expect(rows.slice(0, 4)).toEqual(['A CHANNEL_OUTGOING', 'A CHANNEL_EXECUTE set(o=1)', 'A CHANNEL_EXECUTE_COMPLETE set(o=1)', 'A CHANNEL_STATE']);
    const from = rows.indexOf('A CHANNEL_ANSWER');
    expect(rows.slice(from, from + 11)).toEqual([
      'A CHANNEL_ANSWER',
      // the global hook comes first: switch_core_get_variables, then the channel's
      'A CHANNEL_EXECUTE set(from_global=1)',
      'A CHANNEL_EXECUTE_COMPLETE set(from_global=1)',
      'A CHANNEL_EXECUTE set(x=1)',
      'A CHANNEL_EXECUTE_COMPLETE set(x=1)',
      'A CHANNEL_EXECUTE set(y=12)',
      'A CHANNEL_EXECUTE_COMPLETE set(y=12)',
      'A CHANNEL_EXECUTE set(m=1)',
      'A CHANNEL_EXECUTE_COMPLETE set(m=1)',
      'A CHANNEL_CALLSTATE',
      'A CHANNEL_EXECUTE set(p=1)',
    ]);
    expect(rows).not.toContain('A CHANNEL_EXECUTE set(never=1)');
    expect(rows.slice(-2)).toEqual(['A CHANNEL_EXECUTE park()', 'A CHANNEL_PARK']);
    expect(await t.sw.api(`uuid_getvar ${A} originate_endpoint`)).toBe('null');
    await t.sw.stop();
    await t.rt.stop();
  });

  it('an application run by a hook sees the call state as it still is; a hangup there comes before the answer’s call state, as in FreeSWITCH', async () => {
    const t = await setup();
    await t.sw.originate(`{origination_uuid=${A},execute_on_answer='hangup USER_BUSY'}null/1 &park()`);
    await t.settle();
    const rows = t.sub
      .take()
      .filter((e) => e.getHeader('Unique-ID') === A && /EXECUTE$|HANGUP$|CALLSTATE/.test(e.type))
      .map((e) => `${e.type} ${e.getHeader('Channel-Call-State')}`);
    expect(rows).toEqual(['CHANNEL_EXECUTE DOWN', 'CHANNEL_HANGUP DOWN', 'CHANNEL_CALLSTATE ACTIVE', 'CHANNEL_CALLSTATE HANGUP']);
    await t.sw.stop();
    await t.rt.stop();
  });

  it('early media first: pre_answer and media hooks run then, and the answer does not run the media ones again', async () => {
    const t = await setup({
      dialplan: staticDialplan({ default: { '1000': [['pre_answer'], ['answer'], ['park']] } }),
    });
    // loopback's B half runs the extension; its pre-answer and answer reach the originated A half
    const dial = `{origination_uuid=${A},execute_on_media='set media=1',execute_on_pre_answer='set pre=1',execute_on_answer='set ans=1'}loopback/1000 &park()`;
    expect(await t.sw.originate(dial)).toBe(`+OK ${A}\n`);
    await t.settle();
    const rows = trace(t).filter((r) => r.startsWith('A ') && /PROGRESS_MEDIA|ANSWER|EXECUTE set/.test(r));
    expect(rows).toEqual([
      'A CHANNEL_PROGRESS_MEDIA',
      'A CHANNEL_EXECUTE set(pre=1)',
      'A CHANNEL_EXECUTE set(media=1)',
      'A CHANNEL_ANSWER',
      'A CHANNEL_EXECUTE set(ans=1)',
    ]);
    await t.sw.stop();
    await t.rt.stop();
  });

  it('api_on_answer runs in a process of its own: a command on the channel itself works; its output is logged at DEBUG', async () => {
    const t = await setup();
    const dial = `{origination_uuid=${A},api_on_answer='uuid_setvar \${uuid} who \${caller_id_number}',api_on_answer_2='echo hi'}null/1 &park()`;
    await t.sw.originate(dial);
    await t.settle();
    expect(await t.sw.api(`uuid_getvar ${A} who`)).toBe('0000000000');
    expect(t.logs).toContain(`DEBUG null/1 process echo hi: echo(hi)\nhi`);
    expect(
      t.logs.some((l) => l.startsWith(`DEBUG null/1 process uuid_setvar \${uuid} who \${caller_id_number}: uuid_setvar(${A} who 0000000000)`)),
    ).toBe(true);
    await t.sw.stop();
    await t.rt.stop();
  });

  it("`app::arg` is queued and runs before the extension's next application; an unknown inline application hangs the call up (Invalid Application)", async () => {
    const t = await setup();
    await t.sw.originate(`{origination_uuid=${A},execute_on_answer='playback::silence_stream://100'}null/1 &park()`);
    await t.settle();
    expect(trace(t).filter((r) => r.includes('playback'))).toEqual(['A CHANNEL_EXECUTE playback(silence_stream://100)']);
    await t.clock.advance(100);
    await t.settle();
    expect(trace(t)).toEqual([
      'A PLAYBACK_STOP',
      'A CHANNEL_EXECUTE_COMPLETE playback(silence_stream://100)',
      'A CHANNEL_EXECUTE park()',
      'A CHANNEL_PARK',
    ]);

    await t.sw.originate(`{origination_uuid=${B},execute_on_answer=no_such_app}null/2 &park()`);
    await t.settle();
    const hangup = t.sub.take().find((e) => e.type === 'CHANNEL_HANGUP' && e.getHeader('Unique-ID') === B);
    expect(hangup?.getHeader('Hangup-Cause')).toBe('DESTINATION_OUT_OF_ORDER');
    expect(t.logs).toContain('ERR Invalid Application no_such_app');
    await t.sw.stop();
    await t.rt.stop();
  });
});

describe('api_hangup_hook and api_reporting_hook', () => {
  it('run after the hangup (and reporting) handlers with the channel data expanded, without holding the channel up', async () => {
    const t = await setup();
    const dial = `{origination_uuid=${A},api_hangup_hook='global_setvar hung=\${hangup_cause}/\${Caller-Destination-Number}',api_reporting_hook='global_setvar::reported=\${Channel-State}'}null/7 &park()`;
    await t.sw.originate(dial);
    await t.settle();
    expect(await t.sw.api('global_getvar hung')).toBe('');
    await t.sw.api(`uuid_kill ${A} USER_BUSY`);
    await t.settle();
    expect(await t.sw.api('global_getvar hung')).toBe('USER_BUSY/7');
    expect(await t.sw.api('global_getvar reported')).toBe('CS_REPORTING');
    expect(t.logs.some((l) => l.startsWith('DEBUG Hangup Command with no Session global_setvar(hung=USER_BUSY/7):'))).toBe(true);
    await t.sw.stop();
    await t.rt.stop();
  });
});

describe('pre_originate and post_originate on the caller of a bridge', () => {
  it('run on the calling leg before the B leg is made and once the originate is over', async () => {
    const t = await setup();
    const dial = `{origination_uuid=${A},execute_on_pre_originate='set pre=1',execute_on_post_originate='set post=1'}null/1 &bridge({origination_uuid=${B}}null/2)`;
    await t.sw.originate(dial);
    await t.settle();
    const rows = trace(t);
    const i = rows.indexOf(`A CHANNEL_EXECUTE bridge({origination_uuid=${B}}null/2)`);
    expect(rows.slice(i, i + 4)).toEqual([
      `A CHANNEL_EXECUTE bridge({origination_uuid=${B}}null/2)`,
      'A CHANNEL_EXECUTE set(pre=1)',
      'A CHANNEL_EXECUTE_COMPLETE set(pre=1)',
      'B CHANNEL_OUTGOING',
    ]);
    // A ran its post_originate hook once already, as the winner of the API originate
    expect(rows.filter((r) => r === 'A CHANNEL_EXECUTE set(post=1)')).toHaveLength(2);
    const post = rows.lastIndexOf('A CHANNEL_EXECUTE set(post=1)');
    expect(post).toBeGreaterThan(rows.indexOf('B CHANNEL_ANSWER'));
    expect(post).toBeLessThan(rows.indexOf('A CHANNEL_BRIDGE'));
    await t.sw.stop();
    await t.rt.stop();
  });
});

describe('execute_on_pre_bridge / _post_bridge, api_before_bridge / _after_bridge (audio_bridge_thread, each leg)', () => {
  it('the bridge application: each leg runs its hooks as its bridge starts; post_bridge comes before CHANNEL_UNBRIDGE', async () => {
    const t = await setup();
    // the bridge's data is expanded first: `\${…}` keeps B's hook for B to expand
    const b = `{origination_uuid=${B},execute_on_pre_bridge='set b_pre=1',api_after_bridge='global_setvar b_after=\\\${hangup_cause}'}null/2`;
    await t.sw.originate(`{origination_uuid=${A},execute_on_pre_bridge='set a_pre=1',execute_on_post_bridge='set a_post=1'}null/1 &bridge(${b})`);
    await t.settle();
    const start = trace(t).filter((r) => /BRIDGE|set\(/.test(r) && !r.includes('COMPLETE'));
    expect(start).toEqual(['A CHANNEL_BRIDGE', 'A CHANNEL_EXECUTE set(a_pre=1)', 'B CHANNEL_EXECUTE set(b_pre=1)']);
    expect(await t.sw.api(`uuid_kill ${B} USER_BUSY`)).toBe('+OK\n');
    await t.settle();
    const end = trace(t).filter((r) => /BRIDGE|set\(|HANGUP$/.test(r) && !r.includes('COMPLETE'));
    // A's extension ends with the bridge: the last instruction done, it hangs up
    expect(end).toEqual(['B CHANNEL_HANGUP', 'A CHANNEL_EXECUTE set(a_post=1)', 'A CHANNEL_UNBRIDGE', 'A CHANNEL_HANGUP']);
    expect(await t.sw.api('global_getvar b_after')).toBe('USER_BUSY');
    await t.sw.stop();
    await t.rt.stop();
  });

  it('uuid_bridge: both legs run pre_bridge; the originator runs post_bridge, then CHANNEL_UNBRIDGE, when the other hangs up', async () => {
    const t = await setup();
    await t.sw.originate(`{origination_uuid=${A},execute_on_pre_bridge='set a_pre=1',execute_on_post_bridge='set a_post=1'}null/1 &park()`);
    await t.sw.originate(`{origination_uuid=${B},execute_on_pre_bridge='set b_pre=1'}null/2 &park()`);
    await t.settle();
    t.sub.take();
    expect(await t.sw.api(`uuid_bridge ${A} ${B}`)).toBe(`+OK ${B}\n`);
    await t.settle();
    expect(trace(t).filter((r) => r.includes('set('))).toEqual([
      'A CHANNEL_EXECUTE set(a_pre=1)',
      'A CHANNEL_EXECUTE_COMPLETE set(a_pre=1)',
      'B CHANNEL_EXECUTE set(b_pre=1)',
      'B CHANNEL_EXECUTE_COMPLETE set(b_pre=1)',
    ]);
    await t.sw.api(`uuid_kill ${B}`);
    await t.settle();
    const end = trace(t).filter((r) => r.startsWith('A ') && /BRIDGE|set\(/.test(r) && !r.includes('COMPLETE'));
    expect(end).toEqual(['A CHANNEL_EXECUTE set(a_post=1)', 'A CHANNEL_UNBRIDGE']);
    await t.sw.stop();
    await t.rt.stop();
  });
});
