/**
 * The core's `registrations` table (switch_core_sqldb.c): what endpoint modules report through
 * switch_core_add_registration / switch_core_del_registration, read by `show registrations`.
 * One switch owns these rows, so the C's `hostname=` filters are the switch's name on every row.
 */

export const REGISTRATION_COLUMNS = [
  'reg_user',
  'realm',
  'token',
  'url',
  'expires',
  'network_ip',
  'network_port',
  'network_proto',
  'hostname',
  'metadata',
] as const;

/** What a module reports (switch_core_add_registration's arguments). */
export interface RegistrationReport {
  readonly user: string;
  readonly realm: string;
  /** The module's key for it (mod_sofia: the REGISTER's Call-ID). */
  readonly token: string;
  /** Where to reach it (mod_sofia: `sofia/<profile>/sip:<contact>`). */
  readonly url: string;
  /** Epoch seconds it ends at. */
  readonly expires: number;
  readonly networkIp: string;
  readonly networkPort: number;
  readonly networkProto: 'udp' | 'tcp' | 'tls' | string;
  readonly metadata?: string;
}

export type RegistrationRow = Readonly<Record<(typeof REGISTRATION_COLUMNS)[number], string | undefined>>;

export class RegistrationTable {
  #rows: RegistrationRow[] = [];

  /**
   * @param hostname the switch's name, every row's `hostname`
   * @param multiple switch.conf's `multiple-registrations`: a new row replaces only those with its
   *   url or token; otherwise it replaces the user's other rows in that realm
   */
  constructor(
    readonly hostname: string,
    public multiple = false,
  ) {}

  add(r: RegistrationReport): void {
    this.#rows = this.#rows.filter((row) =>
      this.multiple ? row.url !== r.url && row.token !== r.token : row.reg_user !== r.user || row.realm !== r.realm,
    );
    this.#rows.push({
      reg_user: r.user,
      realm: r.realm,
      token: r.token,
      url: r.url,
      expires: String(r.expires),
      network_ip: r.networkIp,
      network_port: String(r.networkPort),
      network_proto: r.networkProto,
      hostname: this.hostname,
      // the C's insert without metadata leaves the column NULL
      metadata: r.metadata === '' ? undefined : r.metadata,
    });
  }

  /** The user's rows in the realm; with `multiple`, only the one of that token (when given). */
  del(user: string, realm: string, token?: string): void {
    const byToken = this.multiple && token !== undefined && token !== '';
    this.#rows = this.#rows.filter((row) => row.reg_user !== user || row.realm !== realm || (byToken && row.token !== token));
  }

  /** switch_core_expire_registration: the rows ended by `nowS` (every row when forced). */
  expire(nowS: number, force = false): void {
    this.#rows = force ? [] : this.#rows.filter((row) => !(Number(row.expires) > 0 && Number(row.expires) <= nowS));
  }

  rows(): readonly RegistrationRow[] {
    return this.#rows;
  }

  get size(): number {
    return this.#rows.length;
  }
}
