/** Who this switch is: the values of the standard event headers and of `status`/`version`. */
import { randomUUID } from 'node:crypto';
import { hostname as osHostname } from 'node:os';
import type { SwitchIdentity } from '../events/event.ts';

export interface SwitchIdentityOptions {
  readonly coreUuid?: string;
  readonly hostname?: string;
  /** `switchname` of switch.conf; defaults to the host name. */
  readonly switchname?: string;
  readonly ipv4?: string;
  readonly ipv6?: string;
}

export function makeIdentity(o: SwitchIdentityOptions = {}): SwitchIdentity {
  const hostname = o.hostname ?? osHostname();
  return {
    coreUuid: o.coreUuid ?? randomUUID(),
    hostname,
    switchname: o.switchname ?? hostname,
    ipv4: o.ipv4 ?? '127.0.0.1',
    ipv6: o.ipv6 ?? '::1',
  };
}

/** The release this switch imitates (spec §3.2: one version used by version, status and HEARTBEAT). */
export const VERSION = {
  major: 1,
  minor: 10,
  micro: 12,
  full: '1.10.12-release~64bit',
  revisionHuman: ' 64bit',
  /** `status` line 2 (two spaces: the revision is empty). */
  fullHuman: '1.10.12-release  64bit',
} as const;
