/**
 * The switch the SIP benches call into: one sofia profile on a free port of 127.0.0.1, the user
 * 1000 (password 1234) in the domain bench.test, and the extensions asked for: each number runs
 * its applications (`[name, data]`).
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

export type Extensions = Readonly<Record<string, readonly (readonly [string, string?])[]>>;

export async function sipSwitch(extensions: Extensions, options: { timers?: boolean } = {}): Promise<SipSwitch> {
  const dialplan = Object.entries(extensions)
    .map(([number, apps]) => {
      const actions = apps.map(([a, data]) => `<action application="${a}"${data === undefined ? '' : ` data="${data}"`}/>`).join('');
      return `<extension name="bench_${number}"><condition field="destination_number" expression="^${number}$">${actions}</condition></extension>`;
    })
    .join('\n      ');
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
      ${dialplan}
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
