/**
 * `say_string` asked from a real erl (`{api, say_string, …}`), as an Erlang application asks the
 * switch what a number sounds like in the caller's language: Spanish and German name their own
 * files, German's counted forms by gender.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERL_DEFS, type Rig, startRig } from './helpers.ts';

let rig: Rig;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'beamline-say-'));
  writeFileSync(
    join(dir, 'freeswitch.xml'),
    `<document type="freeswitch/xml"><section name="languages">
      <language name="es" say-module="es" sound-prefix="/snd/es"><phrases><macros/></phrases></language>
      <language name="de" say-module="de" sound-prefix="/snd/de"><phrases><macros/></phrases></language>
    </section></document>`,
  );
  rig = await startRig('say', {}, { confDir: dir });
  await rig.shell(ERL_DEFS);
  await rig.shell('A = Coll()');
});
afterAll(async () => {
  await rig?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('say_string from erl', () => {
  it('answers the language’s file_string', async () => {
    expect(await rig.shell('Do(A, {api, say_string, "es.wav es number pronounced 21"})')).toBe('{ok,"file_string://digits/veinti.wav!digits/1.wav"}');
    expect(await rig.shell('Do(A, {api, say_string, "de.wav de items counted neuter ~21"})')).toBe(
      '{ok,"digits/1_n.wav!currency/and.wav!digits/h-20_n.wav"}',
    );
  });
});
