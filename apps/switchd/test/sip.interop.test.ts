/**
 * A SIP phone and an Erlang application meet in switchd as `pnpm start` runs it (the default conf:
 * users 1000-1019 with password 1234 on 127.0.0.1, the echo extension 9196): SIPp registers and
 * calls in, sends digits as RFC 2833 events; a real erl, registered as event handler, sees the
 * call's events and hangs it up; then erl calls the phone through its registered contact. Audio
 * goes through too: 9196 echoes what SIPp plays, and a ringing callee's caller hears the ringback.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startErl, type ErlNode } from '../../../tools/erl/node.ts';
import { run, type Proc, startSwitchd, stopSwitchd } from '../../../tools/apps/run.ts';
import { linearToUlaw } from '@beamline/switch';
import { phoneAudio, rtpPayloadsOf, share, ulawReference } from '../../../tools/sipp/audio.ts';
import { freeUdpPort, runSipp, startSipp } from '../../../tools/sipp/sipp.ts';

const NAME = 'fs_sip@localhost';
const PEER = 'sip_erl@localhost';
let EPMD = 0;
let SIP = 0;
let sw: Proc;
let erl: ErlNode;
const sh = (line: string, timeoutMs = 10_000) => erl.eval(line, timeoutMs);
const phone = { domain: '127.0.0.1', authUser: '1003', password: '1234' } as const;

const KEY_TONES: Record<string, readonly number[]> = { '1': [697, 1209], '5': [770, 1336], '9': [852, 1477], '#': [941, 1477] };

/** μ-law frames of `freqs` sounding together for `onMs`, then `offMs` of silence (a phone's in-band DTMF, a fax's CNG). */
function toneFrames(freqs: readonly number[], onMs: number, offMs: number): Uint8Array[] {
  const on = onMs * 8;
  const samples = Array.from({ length: on + offMs * 8 }, (_, i) =>
    i < on ? Math.round(freqs.reduce((sum, f) => sum + 6000 * Math.sin((2 * Math.PI * f * i) / 8000), 0)) : 0,
  );
  return Array.from({ length: samples.length / 160 }, (_, k) => Uint8Array.from(samples.slice(k * 160, k * 160 + 160), linearToUlaw));
}

beforeAll(async () => {
  SIP = await freeUdpPort();
  ({ proc: sw, epmdPort: EPMD } = await startSwitchd(NAME, ['--sip-port', String(SIP)]));
  erl = await startErl({ name: PEER, cookie: 'ClueCon', epmdPort: EPMD });
}, 90_000);

afterAll(async () => {
  await erl?.stop();
  await stopSwitchd(sw);
});

describe('a SIP phone and an Erlang handler through switchd', { timeout: 60_000 }, () => {
  it('loads mod_sofia into the tree, with its profile on the SIP port', async () => {
    expect(sw.out()).toContain(`sofia: profile internal listening on udp and tcp 127.0.0.1:${SIP}`);
    const tree = await run('beamctl', ['--node', NAME, '--cookie', 'ClueCon', '--epmd-port', String(EPMD), 'tree']);
    expect(tree.stdout).toMatch(
      /^└─ sofia +<0\.\d+\.0> +supervisor rest_for_one .*\n {3}├─ calls +<0\.\d+\.0> +supervisor simple_one_for_one .*\n {3}└─ sofia_profile_internal +<0\.\d+\.0> +worker \[SofiaProfile\]/m,
    );
    expect(sw.out()).toContain('[NOTICE] switchd: module sofia loaded');
    const status = await sh(`{foo, '${NAME}'} ! {api, sofia, "status"}, receive {ok, S} -> S after 3000 -> timeout end.`);
    expect(status).toContain(`sip:mod_sofia@127.0.0.1:${SIP}\\tRUNNING (0)`);
  });

  it('the phone registers (sofia::register reaches erl), calls 9196, and erl sees its digits and hangs it up', async () => {
    expect(await sh(`{foo, '${NAME}'} ! register_event_handler, receive R1 -> R1 after 1000 -> timeout end.`)).toBe('ok');
    expect(
      await sh(`{foo, '${NAME}'} ! {event, 'CHANNEL_ANSWER', 'DTMF', 'CUSTOM', 'sofia::register'}, receive R2 -> R2 after 1000 -> timeout end.`),
    ).toBe('ok');
    const reg = await runSipp({ ...phone, scenario: 'register', port: SIP, service: '1003' });
    expect(reg.code, reg.output + reg.errors).toBe(0);
    expect(
      await sh(
        'receive {event, [_ | H0]} -> {proplists:get_value("Event-Subclass", H0), proplists:get_value("from-user", H0)} after 3000 -> timeout end.',
      ),
    ).toBe('{"sofia::register","1003"}');
    const call = await startSipp({ ...phone, scenario: 'call_dtmf', port: SIP, service: '9196' });
    const answered = await sh(
      'receive {event, [U | H1]} -> {U, proplists:get_value("Event-Name", H1), proplists:get_value("Channel-Name", H1), proplists:get_value("variable_sip_from_user", H1)} after 8000 -> timeout end.',
      10_000,
    );
    const uuid = /^\{"([0-9a-f-]{36})","CHANNEL_ANSWER","sofia\/internal\/1003@127\.0\.0\.1","1003"\}$/.exec(answered.replace(/\n\s*/g, ''))?.[1];
    expect(uuid, answered).toBeDefined();
    const digits = await sh(
      '[receive {event, [_ | H]} -> {proplists:get_value("DTMF-Digit", H), proplists:get_value("DTMF-Source", H)} after 5000 -> timeout end || _ <- [1, 2, 3]].',
      15_000,
    );
    expect(digits).toBe('[{"1","RTP"},{"2","RTP"},{"#","RTP"}]');
    expect(await sh(`{foo, '${NAME}'} ! {api, uuid_kill, "${uuid}"}, receive {ok, K} -> K after 3000 -> timeout end.`)).toBe('"+OK\\n"');
    const r = await call.done; // the phone got the BYE and answered it
    expect(r.code, r.output + r.errors).toBe(0);
    expect(await sh(`{foo, '${NAME}'} ! noevents, receive R3 -> R3 after 1000 -> timeout end.`)).toBe('ok');
  });

  it('erl calls the registered phone (expand originate with sofia_contact), and the phone answers', async () => {
    const port = await freeUdpPort();
    const answering = await startSipp({ scenario: 'uas_answer', localPort: port });
    const reg = await runSipp({ ...phone, scenario: 'register', port: SIP, service: '1003', contactPort: port });
    expect(reg.code, reg.output + reg.errors).toBe(0);
    const orig = await sh(
      `{foo, '${NAME}'} ! {api, expand, "originate \${sofia_contact(1003@127.0.0.1)} &park()"}, receive {ok, O} -> O after 8000 -> timeout end.`,
      10_000,
    );
    const uuid = /^"\+OK ([0-9a-f-]{36})\\n"$/.exec(orig)?.[1];
    expect(uuid, orig).toBeDefined();
    expect(await sh(`{foo, '${NAME}'} ! {api, uuid_kill, "${uuid}"}, receive {ok, K} -> K after 3000 -> timeout end.`)).toBe('"+OK\\n"');
    const r = await answering.done;
    expect(r.code, r.output + r.errors).toBe(0);
  });

  it('erl dials user/1003 (the default domain, the directory’s dial-string), and the phone answers', async () => {
    const port = await freeUdpPort();
    const answering = await startSipp({ scenario: 'uas_answer', localPort: port });
    const reg = await runSipp({ ...phone, scenario: 'register', port: SIP, service: '1003', contactPort: port });
    expect(reg.code, reg.output + reg.errors).toBe(0);
    // the shell keeps its bindings: new names for the replies
    const orig = await sh(`{foo, '${NAME}'} ! {api, originate, "user/1003 &park()"}, receive {ok, O2} -> O2 after 8000 -> timeout end.`, 10_000);
    const uuid = /^"\+OK ([0-9a-f-]{36})\\n"$/.exec(orig)?.[1];
    expect(uuid, orig).toBeDefined();
    expect(await sh(`{foo, '${NAME}'} ! {api, uuid_kill, "${uuid}"}, receive {ok, K2} -> K2 after 3000 -> timeout end.`)).toBe('"+OK\\n"');
    const r = await answering.done;
    expect(r.code, r.output + r.errors).toBe(0);
  });

  it('erl counts a phone’s registrations with sofia_count_reg and flushes them with sofia profile … flush_inbound_reg', async () => {
    const reg = await runSipp({ ...phone, scenario: 'register', port: SIP, service: '1008', authUser: '1008' });
    expect(reg.code, reg.output + reg.errors).toBe(0);
    const ask = (cmd: string, args: string, v: string) =>
      sh(`{foo, '${NAME}'} ! {api, ${cmd}, "${args}"}, receive {ok, ${v}} -> ${v} after 3000 -> timeout end.`);
    expect(await ask('sofia_count_reg', 'internal/1008@127.0.0.1', 'SC1')).toBe('"1"');
    expect(await ask('sofia', 'profile internal flush_inbound_reg 1008@127.0.0.1', 'SF1')).toBe(
      '"+OK flushing all registrations matching specified call_id\\n"',
    );
    expect(await ask('sofia_count_reg', 'internal/1008@127.0.0.1', 'SC2')).toBe('"0"');
    // mod_erlang_event answers an -ERR reply as {error, Reply}
    expect(await sh(`{foo, '${NAME}'} ! {api, sofia, "profile internal killgw nosuch"}, receive SK1 -> SK1 after 3000 -> timeout end.`)).toBe(
      '{error,"-ERR no such gateway.\\n"}',
    );
  });

  it('one phone calls another: 1004 dials 1005, the dialplan bridges to user/1005, and the caller’s BYE ends both', async () => {
    const port = await freeUdpPort();
    const callee = await startSipp({ scenario: 'uas_answer', localPort: port });
    const reg = await runSipp({ ...phone, scenario: 'register', port: SIP, service: '1005', authUser: '1005', contactPort: port });
    expect(reg.code, reg.output + reg.errors).toBe(0);
    const caller = await runSipp({ ...phone, scenario: 'call', port: SIP, service: '1005', authUser: '1004', holdMs: 500 });
    expect(caller.code, caller.output + caller.errors).toBe(0);
    const r = await callee.done;
    expect(r.code, r.output + r.errors).toBe(0);
  });

  it('a phone calling 9196 hears itself: SIPp plays a recorded PCMA call and gets every packet back, in order', async () => {
    const capture = '/usr/share/sip-tester/g711a.pcap';
    const audio = await phoneAudio();
    try {
      const r = await runSipp({
        ...phone,
        scenario: 'call',
        port: SIP,
        service: '9196',
        holdMs: 1500,
        audioPort: audio.port,
        audioCodec: 'PCMA',
        playPcap: capture,
      });
      expect(r.code, r.output + r.errors).toBe(0);
      const played = rtpPayloadsOf(capture);
      const heard = audio.received.map((p) => p.payload);
      // 30 ms packets for 1.5 s, less what was still on its way at the BYE
      expect(heard.length).toBeGreaterThan(30);
      expect(heard).toEqual(played.slice(0, heard.length));
      expect(audio.received.every((p) => p.pt === 8)).toBe(true);
    } finally {
      audio.close();
    }
  });

  it('a phone calling one that only rings hears the default ringback (us-ring: 440 + 480 Hz) after a 183', async () => {
    const port = await freeUdpPort();
    const callee = await startSipp({ scenario: 'uas_ring', localPort: port });
    const reg = await runSipp({ ...phone, scenario: 'register', port: SIP, service: '1007', authUser: '1007', contactPort: port });
    expect(reg.code, reg.output + reg.errors).toBe(0);
    const audio = await phoneAudio();
    try {
      const caller = await startSipp({
        ...phone,
        scenario: 'call_refused',
        port: SIP,
        service: '1007',
        authUser: '1006',
        expect: 487,
        early: true,
        audioPort: audio.port,
      });
      for (const end = Date.now() + 10_000; audio.received.length < 50 && Date.now() < end; ) await new Promise((r) => setTimeout(r, 20));
      const heard = audio.received.flatMap((p) => [...p.payload].map(ulawReference));
      expect(share(heard, 440)).toBeGreaterThan(0.35);
      expect(share(heard, 480)).toBeGreaterThan(0.35);
      // erl ends the call: the caller gets 487, the ringing phone a CANCEL
      expect(await sh(`{foo, '${NAME}'} ! {api, hupall, "ORIGINATOR_CANCEL"}, receive {ok, H4} -> H4 after 3000 -> timeout end.`)).toMatch(/OK/);
      const r = await caller.done;
      expect(r.code, r.output + r.errors).toBe(0);
      expect((await callee.done).code).toBe(0);
    } finally {
      audio.close();
    }
  });

  it('erl plays a tone to a phone parked on 1000 with sendmsg execute playback, and records it with uuid_record', async () => {
    const audio = await phoneAudio();
    const file = `/tmp/beamline-switchd-${process.pid}.wav`;
    try {
      expect(await sh(`{foo, '${NAME}'} ! register_event_handler, receive R5 -> R5 after 1000 -> timeout end.`)).toBe('ok');
      expect(await sh(`{foo, '${NAME}'} ! {event, 'CHANNEL_PARK'}, receive R6 -> R6 after 1000 -> timeout end.`)).toBe('ok');
      const call = await startSipp({ ...phone, scenario: 'call', port: SIP, service: '1000', holdMs: 2500, audioPort: audio.port });
      const parked = await sh('receive {event, [U5 | _]} -> U5 after 8000 -> timeout end.', 10_000);
      const uuid = /^"([0-9a-f-]{36})"$/.exec(parked)?.[1];
      expect(uuid, parked).toBeDefined();
      expect(await sh(`{foo, '${NAME}'} ! {api, uuid_record, "${uuid} start ${file}"}, receive {ok, U6} -> U6 after 3000 -> timeout end.`)).toBe(
        '"+OK Success\\n"',
      );
      expect(
        await sh(
          `{foo, '${NAME}'} ! {sendmsg, "${uuid}", [{"call-command", "execute"}, {"execute-app-name", "playback"}, {"execute-app-arg", "tone_stream://%(1000,0,1000)"}]}, receive R7 -> R7 after 3000 -> timeout end.`,
        ),
      ).toBe('ok');
      const r = await call.done;
      expect(r.code, r.output + r.errors).toBe(0);
      const heard = audio.received.flatMap((p) => [...p.payload].map(ulawReference));
      // one second of 1 kHz (50 packets), nothing else
      expect(audio.received.length).toBe(50);
      expect(share(heard, 1000)).toBeGreaterThan(0.9);
      // the recording holds what the phone heard: the tone, on the write side of the call
      let recorded: Buffer | undefined;
      for (const end = Date.now() + 5000; Date.now() < end; await new Promise((res) => setTimeout(res, 50))) {
        const b = existsSync(file) ? readFileSync(file) : undefined;
        if (b && b.length > 44 && b.readUInt32LE(40) > 0) {
          recorded = b;
          break;
        }
      }
      const samples = recorded ? Array.from({ length: (recorded.length - 44) / 2 }, (_, i) => (recorded as Buffer).readInt16LE(44 + i * 2)) : [];
      // a second of it (8,000 samples) in the 2.5 s recorded, silence around it (on a loaded machine
      // the sound in the recording has spanned up to two 20 ms frames more)
      const first = samples.findIndex((x) => x !== 0);
      const last = samples.length - [...samples].reverse().findIndex((x) => x !== 0);
      expect(last - first).toBeGreaterThan(7900);
      expect(last - first).toBeLessThan(8400);
      expect(share(samples.slice(first, last), 1000)).toBeGreaterThan(0.9);
      expect(await sh(`{foo, '${NAME}'} ! noevents, receive R8 -> R8 after 1000 -> timeout end.`)).toBe('ok');
    } finally {
      audio.close();
      rmSync(file, { force: true });
    }
  });

  it('erl turns on fax_detect, then start_dtmf, on a parked phone: its fax tone arrives as DETECTED_TONE, its in-band digits as DTMF (INBAND_AUDIO)', async () => {
    const audio = await phoneAudio();
    try {
      expect(await sh(`{foo, '${NAME}'} ! register_event_handler, receive D1 -> D1 after 1000 -> timeout end.`)).toBe('ok');
      expect(await sh(`{foo, '${NAME}'} ! {event, 'CHANNEL_PARK', 'DTMF', 'DETECTED_TONE'}, receive D2 -> D2 after 1000 -> timeout end.`)).toBe('ok');
      const call = await startSipp({ ...phone, scenario: 'call', port: SIP, service: '1000', holdMs: 4000, audioPort: audio.port });
      const parked = await sh('receive {event, [D3 | _]} -> D3 after 8000 -> timeout end.', 10_000);
      const uuid = /^"([0-9a-f-]{36})"$/.exec(parked)?.[1];
      expect(uuid, parked).toBeDefined();
      const execute = async (app: string) =>
        expect(
          await sh(
            `{foo, '${NAME}'} ! {sendmsg, "${uuid}", [{"call-command", "execute"}, {"execute-app-name", "${app}"}]}, receive D4 -> D4 after 3000 -> timeout end.`,
          ),
        ).toBe('ok');
      const port = Number(
        /"(\d+)"/.exec(
          await sh(`{foo, '${NAME}'} ! {api, uuid_getvar, "${uuid} local_media_port"}, receive {ok, D5} -> D5 after 3000 -> timeout end.`),
        )?.[1],
      );
      const collect = (n: number) =>
        sh(
          `Heard${n} = fun Next(0, Acc) -> lists:reverse(Acc); Next(N, Acc) -> receive {event, [_ | H]} -> Next(N - 1, [{proplists:get_value("Event-Name", H), proplists:get_value("DTMF-Digit", H), proplists:get_value("DTMF-Source", H), proplists:get_value("Detected-Tone", H)} | Acc]) after 5000 -> lists:reverse([timeout | Acc]) end end, Heard${n}(${n}, []).`,
          20_000,
        );
      // the fax tone first: a strong single tone leaves the DTMF detector's filters ringing (DECISIONS.md #138)
      await execute('fax_detect');
      await audio.send(port, 0, toneFrames([1100], 500, 100));
      expect((await collect(1)).replace(/\s+/g, '')).toBe('[{"DETECTED_TONE",undefined,undefined,"fax"}]');
      await execute('start_dtmf');
      await audio.send(
        port,
        0,
        [...'159#'].flatMap((d) => toneFrames(KEY_TONES[d] ?? [], 100, 100)),
      );
      expect((await collect(4)).replace(/\s+/g, '')).toBe(`[${[...'159#'].map((d) => `{"DTMF","${d}","INBAND_AUDIO",undefined}`).join(',')}]`);
      const r = await call.done;
      expect(r.code, r.output + r.errors).toBe(0);
      expect(await sh(`{foo, '${NAME}'} ! noevents, receive D6 -> D6 after 1000 -> timeout end.`)).toBe('ok');
    } finally {
      audio.close();
    }
  });

  it('a phone in room 3001 presses 1, 2 and # (vanilla’s caller controls): erl sees its volume go down and back, then the member leave', async () => {
    expect(await sh(`{foo, '${NAME}'} ! register_event_handler, receive C1 -> C1 after 1000 -> timeout end.`)).toBe('ok');
    expect(await sh(`{foo, '${NAME}'} ! {event, 'CUSTOM', 'conference::maintenance'}, receive C2 -> C2 after 1000 -> timeout end.`)).toBe('ok');
    const call = await startSipp({ ...phone, scenario: 'call_dtmf', port: SIP, service: '3001' });
    const actions = await sh(
      // the profile's sounds (hold music, conference.conf.xml) are left out
      'Ctl = fun Next(Acc) -> receive {event, [_ | H]} -> case {proplists:get_value("Action", H), proplists:get_value("New-Level", H)} of {"conference-destroy", _} -> lists:reverse(Acc); {"floor-change", _} -> Next(Acc); {"play-file" ++ _, _} -> Next(Acc); A -> Next([A | Acc]) end after 5000 -> lists:reverse([timeout | Acc]) end end, Ctl([]).',
      20_000,
    );
    expect(actions.replace(/\s+/g, '')).toBe(
      '[{"conference-create",undefined},{"add-member",undefined},{"volume-level","-1"},{"volume-level","0"},{"del-member",undefined}]',
    );
    const r = await call.done;
    expect(r.code, r.output + r.errors).toBe(0);
    expect(await sh(`{foo, '${NAME}'} ! noevents, receive C3 -> C3 after 1000 -> timeout end.`)).toBe('ok');
  });

  it('erl asks say_string, then has a parked phone say a number: PLAYBACK_START / _STOP name its file_string', async () => {
    expect(await sh(`{foo, '${NAME}'} ! {api, say_string, "en en number pronounced 42"}, receive {ok, S1} -> S1 after 3000 -> timeout end.`)).toBe(
      '"file_string://digits/40.wav!digits/2.wav"',
    );
    // the README's examples in the other languages switchd's freeswitch.xml declares
    expect(await sh(`{foo, '${NAME}'} ! {api, say_string, "es.wav es number pronounced 21"}, receive SE -> SE after 3000 -> timeout end.`)).toBe(
      '{ok,"file_string://digits/veinti.wav!digits/1.wav"}',
    );
    expect(
      await sh(`{foo, '${NAME}'} ! {api, say_string, "fr fr number pronounced feminine 21"}, receive SF -> SF after 3000 -> timeout end.`),
    ).toMatch(/^\{ok,"file_string:\/\/.*digits\/21_f\.wav/);
    expect(await sh(`{foo, '${NAME}'} ! register_event_handler, receive S2 -> S2 after 1000 -> timeout end.`)).toBe('ok');
    expect(
      await sh(`{foo, '${NAME}'} ! {event, 'CHANNEL_PARK', 'PLAYBACK_START', 'PLAYBACK_STOP'}, receive S3 -> S3 after 1000 -> timeout end.`),
    ).toBe('ok');
    const call = await startSipp({ ...phone, scenario: 'call', port: SIP, service: '1000', holdMs: 2500 });
    const uuid = /^"([0-9a-f-]{36})"$/.exec(await sh('receive {event, [S4 | _]} -> S4 after 8000 -> timeout end.', 10_000))?.[1];
    expect(uuid).toBeDefined();
    expect(
      await sh(
        `{foo, '${NAME}'} ! {sendmsg, "${uuid}", [{"call-command", "execute"}, {"execute-app-name", "say"}, {"execute-app-arg", "en number iterated 42"}]}, receive S5 -> S5 after 3000 -> timeout end.`,
      ),
    ).toBe('ok');
    const played = await sh(
      'Said = fun Next(0, Acc) -> lists:reverse(Acc); Next(N, Acc) -> receive {event, [_ | H]} -> Next(N - 1, [{proplists:get_value("Event-Name", H), proplists:get_value("Playback-File-Path", H)} | Acc]) after 5000 -> lists:reverse([timeout | Acc]) end end, Said(2, []).',
      10_000,
    );
    const path = '"file_string://digits/4.wav!digits/2.wav"';
    expect(played.replace(/\s+/g, '')).toBe(`[{"PLAYBACK_START",${path}},{"PLAYBACK_STOP",${path}}]`);
    const r = await call.done;
    expect(r.code, r.output + r.errors).toBe(0);
    expect(await sh(`{foo, '${NAME}'} ! noevents, receive S6 -> S6 after 1000 -> timeout end.`)).toBe('ok');
  });

  it('erl has a parked phone say a phrase macro of the shipped conf (phrase msgcount,3): PLAYBACK_START / _STOP for each file', async () => {
    expect(await sh(`{foo, '${NAME}'} ! register_event_handler, receive Ph1 -> Ph1 after 1000 -> timeout end.`)).toBe('ok');
    expect(
      await sh(`{foo, '${NAME}'} ! {event, 'CHANNEL_PARK', 'PLAYBACK_START', 'PLAYBACK_STOP'}, receive Ph2 -> Ph2 after 1000 -> timeout end.`),
    ).toBe('ok');
    const call = await startSipp({ ...phone, scenario: 'call', port: SIP, service: '1000', holdMs: 4000 });
    const uuid = /^"([0-9a-f-]{36})"$/.exec(await sh('receive {event, [Ph3 | _]} -> Ph3 after 8000 -> timeout end.', 10_000))?.[1];
    expect(uuid).toBeDefined();
    expect(
      await sh(
        `{foo, '${NAME}'} ! {sendmsg, "${uuid}", [{"call-command", "execute"}, {"execute-app-name", "phrase"}, {"execute-app-arg", "msgcount,3"}]}, receive Ph4 -> Ph4 after 3000 -> timeout end.`,
      ),
    ).toBe('ok');
    const played = await sh(
      'Phrased = fun Next(0, Acc) -> lists:reverse(Acc); Next(N, Acc) -> receive {event, [_ | H]} -> Next(N - 1, [{proplists:get_value("Event-Name", H), proplists:get_value("Playback-File-Path", H)} | Acc]) after 5000 -> lists:reverse([timeout | Acc]) end end, Phrased(6, []).',
      15_000,
    );
    // a relative name under the phrase language's sound-prefix (switch_ivr_play_file; switch DECISIONS #436)
    const callie = '/usr/share/freeswitch/sounds/en/us/callie';
    const files = [`"${callie}/voicemail/vm-you_have.wav"`, '"file_string://digits/3.wav"', `"${callie}/voicemail/vm-messages.wav"`];
    expect(played.replace(/\s+/g, '')).toBe(`[${files.map((f) => `{"PLAYBACK_START",${f}},{"PLAYBACK_STOP",${f}}`).join(',')}]`);
    const r = await call.done;
    expect(r.code, r.output + r.errors).toBe(0);
    expect(await sh(`{foo, '${NAME}'} ! noevents, receive Ph5 -> Ph5 after 1000 -> timeout end.`)).toBe('ok');
  });

  it('two phones dial 3000: erl sees them join and leave the conference (conference::maintenance), lists it and plays a tone into it', async () => {
    expect(await sh(`{foo, '${NAME}'} ! register_event_handler, receive R9 -> R9 after 1000 -> timeout end.`)).toBe('ok');
    expect(await sh(`{foo, '${NAME}'} ! {event, 'CUSTOM', 'conference::maintenance'}, receive R10 -> R10 after 1000 -> timeout end.`)).toBe('ok');
    const call = () => startSipp({ ...phone, scenario: 'call', port: SIP, service: '3000', holdMs: 2000 });
    const calls = await Promise.all([call(), call()]);
    await new Promise((r) => setTimeout(r, 1000));
    const list = await sh(`{foo, '${NAME}'} ! {api, conference, "list"}, receive {ok, L1} -> L1 after 3000 -> timeout end.`);
    expect(list).toMatch(/^"\+OK Conference 3000-127\.0\.0\.1 \(2 members rate: 8000 flags: /);
    expect(
      await sh(
        `{foo, '${NAME}'} ! {api, conference, "3000-127.0.0.1 play tone_stream://%(200,0,1000)"}, receive {ok, P1} -> P1 after 3000 -> timeout end.`,
      ),
    ).toBe('"+OK (play) Playing file tone_stream://%(200,0,1000)\\n"');
    for (const r of await Promise.all(calls.map((c) => c.done))) expect(r.code, r.output + r.errors).toBe(0);
    // every event until the room is gone; the floor changes and the profile's sounds (enter, exit, hold music) are left out
    const actions = await sh(
      'Conf = fun Next(Acc) -> receive {event, [_ | H]} -> case {proplists:get_value("Action", H), proplists:get_value("Conference-Name", H), proplists:get_value("File", H)} of {"conference-destroy", N, _} -> lists:reverse([{"conference-destroy", N} | Acc]); {"floor-change", _, _} -> Next(Acc); {"play-file" ++ _, _, F} when F =/= "tone_stream://%(200,0,1000)" -> Next(Acc); {A, N, _} -> Next([{A, N} | Acc]) end after 5000 -> lists:reverse([timeout | Acc]) end end, Conf([]).',
      20_000,
    );
    const room = '"3000-127.0.0.1"';
    expect(actions.replace(/\s+/g, '')).toBe(
      `[{"conference-create",${room}},{"add-member",${room}},{"add-member",${room}},{"play-file",${room}},{"play-file-done",${room}},{"del-member",${room}},{"del-member",${room}},{"conference-destroy",${room}}]`,
    );
    expect(await sh(`{foo, '${NAME}'} ! noevents, receive R11 -> R11 after 1000 -> timeout end.`)).toBe('ok');
  });
});
