/**
 * The seed document's outbound example as a user runs it: the switch started from a conf/
 * directory (the seed's erlang_event.conf and its `123456_erlang.xml` extension, node name
 * replaced), `myhandler:start().` typed into erl, extension 123456 dialled; the handler logs the
 * new call, its events up to CHANNEL_PARK, then the hangup.
 */
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERL_DEFS, type Rig, startRig } from './helpers.ts';
import { collected, loadHandlers, uuidOf } from './outbound_helpers.ts';

const here = dirname(fileURLToPath(import.meta.url));
let rig: Rig;
beforeAll(async () => {
  const conf = mkdtempSync(join(tmpdir(), 'mee-conf-'));
  cpSync(join(here, '../../switch/conf'), conf, { recursive: true });
  cpSync(join(here, '../conf'), conf, { recursive: true });
  // the seed's freeswitch/conf/dialplan/default/123456_erlang.xml
  writeFileSync(
    join(conf, 'dialplan/default/123456_erlang.xml'),
    `<include>
  <extension name="to_erlang">
    <condition field="destination_number" expression="^123456$">
      <action application="erlang" data="myhandler t_seedob@localhost"/>
    </condition>
  </extension>
</include>
`,
  );
  rig = await startRig('seedob', {}, { confDir: conf });
  await rig.shell(ERL_DEFS);
  await loadHandlers(rig);
}, 30_000);
afterAll(async () => {
  await rig?.stop();
});

describe("the seed's outbound example", () => {
  it('myhandler:start(), dial 123456: new call, events up to CHANNEL_PARK, then the hangup', async () => {
    expect(await rig.shell('myhandler:start().')).toMatch(/^\{ok,<[\d.]+>\}$/);
    const uuid = uuidOf(await rig.fs.sw.originate('null/1 123456'));
    const text = await collected(rig, (t) => t.includes('"CHANNEL_PARK"'));
    expect(text).toMatch(new RegExp(`^\\[\\{call,<[\\d.]+>,"${uuid}"\\}`));
    await rig.fs.sw.api(`uuid_kill ${uuid}`);
    const done = await collected(rig, (t) => t.includes('call_hangup'));
    expect(done).toContain(`"${uuid}","CHANNEL_HANGUP"}`);
    expect(done).toMatch(new RegExp(`\\{call_hangup,<[\\d.]+>,"${uuid}"\\}\\]$`));
  });
});
