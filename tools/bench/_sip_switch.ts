/**
 * The switch the SIP benches call into: one sofia profile on a free port of 127.0.0.1, the user
 * 1000 (password 1234) in the domain bench.test, and one extension: `number` runs `applications`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Runtime } from '@beamline/core';
import { PROFILE_DEFAULTS, loadSofia } from '@beamline/sofia';
import { type Switch, startSwitch } from '@beamline/switch';
import { freeUdpPort } from '../sipp/sipp.ts';

/** What SIPp passes to be user 1000 of the bench's domain. */
export const BENCH_USER = { domain: 'bench.test', authUser: '1000', password: '1234' } as const;

export interface SipSwitch {
  readonly sw: Switch;
  /** The profile's SIP port. */
  readonly port: number;
  stop(): Promise<void>;
}

export async function sipSwitch(number: string, applications: readonly string[], options: { timers?: boolean } = {}): Promise<SipSwitch> {
  const actions = applications.map((a) => `<action application="${a}"/>`).join('');
  const dir = mkdtempSync(join(tmpdir(), 'bench-sip-'));
  writeFileSync(
    join(dir, 'freeswitch.xml'),
    `<?xml version="1.0"?>
<document type="freeswitch/xml">
  <section name="directory">
    <domain name="${BENCH_USER.domain}">
      <users><user id="${BENCH_USER.authUser}"><params><param name="password" value="${BENCH_USER.password}"/></params><variables><variable name="user_context" value="default"/></variables></user></users>
    </domain>
  </section>
  <section name="dialplan">
    <context name="default">
      <extension name="bench"><condition field="destination_number" expression="^${number}$">${actions}</condition></extension>
    </context>
  </section>
</document>`,
  );
  const rt = new Runtime({ logger: null });
  const sw = await startSwitch(rt, { confDir: dir, maxSessions: 1_000_000, sessionsPerSecond: 1_000_000, log: () => {}, ...options });
  const port = await freeUdpPort();
  const sofia = await loadSofia(sw, rt, { profiles: [{ ...PROFILE_DEFAULTS, name: 'internal', sipPort: port }] });
  return {
    sw,
    port,
    async stop() {
      await sofia.stop(rt);
      await sw.stop();
      await rt.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
