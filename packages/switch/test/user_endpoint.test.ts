/**
 * The `user` endpoint (mod_dptools' user_outgoing_channel): the directory's user, its dial-string
 * expanded with dialed_user / dialed_domain and dialled by an originate of its own, the winner with
 * the user's variables on it; the causes of an unknown user, a missing dial-string and a loop
 * (several legs: user_endpoint_dial.test.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Setup, setup } from './switch_helpers.ts';

const CONF = `<?xml version="1.0"?>
<document type="freeswitch/xml">
  <X-PRE-PROCESS cmd="set" data="domain=example.org"/>
  <section name="directory">
    <domain name="example.org">
      <params><param name="dial-string" value="{presence_id=\${dialed_user}@\${dialed_domain}}loopback/\${dialed_user}"/></params>
      <variables><variable name="user_context" value="default"/></variables>
      <users>
        <user id="1000"><variables><variable name="accountcode" value="a1000"/></variables></user>
        <user id="1001" number-alias="501"><params><param name="dial-string" value="error/user_busy"/><param name="dial-var-foo" value="bar"/></params></user>
        <user id="1002"><params><param name="dial-string" value="user/1002@example.org"/></params></user>
        <user id="1003"><params><param name="dial-string" value="\${echo null/\${dialed_user}}"/><param name="dial-var-x" value="y"/></params></user>
      </users>
    </domain>
    <domain name="nodial.org"><users><user id="7"/></users></domain>
  </section>
  <section name="dialplan">
    <context name="default">
      <extension name="answer"><condition field="destination_number" expression="^(1000)$"><action application="answer"/><action application="park"/></condition></extension>
    </context>
  </section>
</document>`;

let dir: string;
let t: Setup;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'user-ep-'));
  writeFileSync(join(dir, 'freeswitch.xml'), CONF);
  t = await setup({ confDir: dir, dialplan: undefined });
});
afterAll(async () => {
  await t?.sw.stop();
  await t?.rt.stop();
  rmSync(dir, { recursive: true, force: true });
});

const uuidOf = (reply: string) => /^\+OK ([0-9a-f-]{36})\n$/.exec(reply)?.[1];

describe('user/<id>[@<domain>]', () => {
  it('dials the user’s dial-string (expanded with dialed_user / dialed_domain), with the dial-string’s and the user’s variables on the leg', async () => {
    const reply = t.sw.originate('user/1000@example.org &park()');
    await t.settle();
    const uuid = uuidOf(await reply);
    expect(uuid).toBeDefined();
    const get = (v: string) => t.sw.api(`uuid_getvar ${uuid} ${v}`);
    expect(await t.sw.api(`uuid_dump ${uuid} json`)).toContain('"Channel-Name":"loopback/1000-a"');
    expect(await get('dialed_user')).toBe('1000');
    expect(await get('dialed_domain')).toBe('example.org');
    expect(await get('presence_id')).toBe('1000@example.org');
    expect(await get('accountcode')).toBe('a1000');
    expect(await get('user_context')).toBe('default');
  });

  it('without a domain uses the global domain; a number-alias finds the user; an error/ dial-string fails with its cause', async () => {
    const reply = t.sw.originate('user/1000 &park()');
    await t.settle();
    expect(uuidOf(await reply)).toBeDefined();
    expect(await t.sw.originate('user/501@example.org &park()')).toBe('-ERR USER_BUSY\n');
  });

  it('runs ${api} in the dial-string and passes dial-var-<name> params as the leg’s variables', async () => {
    const reply = t.sw.originate('user/1003@example.org &park()');
    await t.settle();
    const uuid = uuidOf(await reply);
    expect(await t.sw.api(`uuid_dump ${uuid} json`)).toContain('"Channel-Name":"null/1003"');
    expect(await t.sw.api(`uuid_getvar ${uuid} x`)).toBe('y');
  });

  it('refuses an unknown user (SUBSCRIBER_ABSENT, WARNING), one without a dial-string (MANDATORY_IE_MISSING) and a loop (INVALID_IE_CONTENTS)', async () => {
    expect(await t.sw.originate('user/9999@example.org &park()')).toBe('-ERR SUBSCRIBER_ABSENT\n');
    expect(t.logs).toContain("WARNING Can't find user [9999@example.org]");
    expect(await t.sw.originate('user/7@nodial.org &park()')).toBe('-ERR MANDATORY_IE_MISSING\n');
    expect(t.logs).toContain('ERR No dial-string available, please check your user directory.');
    expect(await t.sw.originate('user/1002@example.org &park()')).toBe('-ERR INVALID_IE_CONTENTS\n');
  });
});
