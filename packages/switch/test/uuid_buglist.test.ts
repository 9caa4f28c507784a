/**
 * mod_commands' `uuid_buglist <uuid>` (switch_core_media_bug_enumerate): the media bugs on a live
 * call — a session recording, an in-band DTMF detector — in the order they were added, each gone
 * when it is removed; nothing for an unknown uuid, the usage without one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FILE_RECORDING_SINK } from '../src/applications/recording_sink.ts';
import { callNull, setup, stopSetup } from './switch_helpers.ts';

const dirs: string[] = [];
afterEach(async () => {
  await FILE_RECORDING_SINK.settled();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const bug = (fn: string, target: string) =>
  ` <media-bug>\n  <function>${fn}</function>\n  <target>${target}</target>\n  <thread-locked>0</thread-locked>\n </media-bug>\n`;

describe('uuid_buglist', () => {
  it('a recording on an answered call, then an in-band DTMF detector: both listed in order; each leaves the list when it stops', async () => {
    const t = await setup();
    const dir = mkdtempSync(join(tmpdir(), 'beamline-buglist-'));
    dirs.push(dir);
    // 1000: answer, park
    const uuid = await callNull(t, '1000');
    expect(await t.sw.api(`uuid_buglist ${uuid}`)).toBe('<media-bugs>\n</media-bugs>\n');
    const path = `${dir}/call.wav`;
    expect(await t.sw.api(`uuid_record ${uuid} start ${path}`)).toBe('+OK Success\n');
    expect(await t.sw.api(`uuid_buglist ${uuid}`)).toBe(`<media-bugs>\n${bug('session_record', path)}</media-bugs>\n`);
    expect(await t.sw.sendExecute(uuid, 'start_dtmf')).toBe(true);
    await t.settle();
    expect(await t.sw.api(`uuid_buglist ${uuid}`)).toBe(`<media-bugs>\n${bug('session_record', path)}${bug('inband_dtmf', 'N/A')}</media-bugs>\n`);
    expect(await t.sw.api(`uuid_record ${uuid} stop ${path}`)).toBe('+OK Success\n');
    expect(await t.sw.api(`uuid_buglist ${uuid}`)).toBe(`<media-bugs>\n${bug('inband_dtmf', 'N/A')}</media-bugs>\n`);
    expect(await t.sw.api(`uuid_kill ${uuid}`)).toBe('+OK\n');
    await t.settle();
    // the session is gone: nothing at all
    expect(await t.sw.api(`uuid_buglist ${uuid}`)).toBe('');
    await stopSetup(t);
  });

  it('an unknown uuid: nothing; no uuid: the usage; help lists it', async () => {
    const t = await setup();
    expect(await t.sw.api('uuid_buglist 00000000-0000-0000-0000-000000000000')).toBe('');
    expect(await t.sw.api('uuid_buglist')).toBe('-USAGE: <uuid>\n');
    expect(await t.sw.api('help uuid_buglist')).toBe('uuid_buglist,<uuid>,List media bugs on a session,mod_commands\n');
    await stopSetup(t);
  });
});
