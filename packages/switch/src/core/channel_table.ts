/**
 * The core's channel table (the `channels` table of switch_core_sqldb.c), kept from the channel
 * events as FreeSWITCH's own event handlers keep it: CHANNEL_CREATE inserts, later channel events
 * update, CHANNEL_DESTROY deletes. `show channels` / `show calls` read it.
 */
import type { SwitchEvent } from '../events/event.ts';

export const CHANNEL_COLUMNS = [
  'uuid',
  'direction',
  'created',
  'created_epoch',
  'name',
  'state',
  'cid_name',
  'cid_num',
  'ip_addr',
  'dest',
  'application',
  'application_data',
  'dialplan',
  'context',
  'read_codec',
  'read_rate',
  'read_bit_rate',
  'write_codec',
  'write_rate',
  'write_bit_rate',
  'secure',
  'hostname',
  'presence_id',
  'presence_data',
  'accountcode',
  'callstate',
  'callee_name',
  'callee_num',
  'callee_direction',
  'call_uuid',
  'sent_callee_name',
  'sent_callee_num',
  'initial_cid_name',
  'initial_cid_num',
  'initial_ip_addr',
  'initial_dest',
  'initial_dialplan',
  'initial_context',
] as const;

export type ChannelRow = Partial<Record<(typeof CHANNEL_COLUMNS)[number], string>> & { seq: number };

/** A row of the `calls` table: a bridge, from its CHANNEL_BRIDGE to its CHANNEL_UNBRIDGE. */
export interface CallRow {
  readonly callUuid: string;
  readonly createdEpoch: string;
  readonly caller: string;
  readonly callee: string;
}

export class ChannelTable {
  readonly #rows = new Map<string, ChannelRow>();
  /** `calls`, by caller uuid, and the callee uuids (so each lookup is one map access). */
  readonly #calls = new Map<string, CallRow>();
  readonly #callers = new Map<string, string>();
  #order = 0;

  onEvent(e: SwitchEvent, hostname: string): void {
    const uuid = e.getHeader('Unique-ID');
    if (!uuid || !e.type.startsWith('CHANNEL_')) return;
    if (e.type === 'CHANNEL_DESTROY') {
      this.#rows.delete(uuid);
      this.#dropCalls(uuid);
      return;
    }
    if (e.type === 'CHANNEL_BRIDGE') {
      this.#bridge(e);
      return;
    }
    if (e.type === 'CHANNEL_UNBRIDGE') {
      this.#unbridge(e);
      return;
    }
    let row = this.#rows.get(uuid);
    if (e.type === 'CHANNEL_CREATE' && !row) {
      const epochUs = Number(e.getHeader('Event-Date-Timestamp') ?? '0');
      row = {
        seq: ++this.#order,
        uuid,
        direction: e.getHeader('Call-Direction'),
        created: e.getHeader('Event-Date-Local'),
        created_epoch: String(Math.floor(epochUs / 1_000_000)),
        name: e.getHeader('Channel-Name'),
        hostname,
        cid_name: e.getHeader('Caller-Caller-ID-Name'),
        cid_num: e.getHeader('Caller-Caller-ID-Number'),
        ip_addr: e.getHeader('Caller-Network-Addr'),
        dest: e.getHeader('Caller-Destination-Number'),
        dialplan: e.getHeader('Caller-Dialplan'),
        context: e.getHeader('Caller-Context'),
        read_codec: e.getHeader('Channel-Read-Codec-Name'),
        read_rate: e.getHeader('Channel-Read-Codec-Rate'),
        read_bit_rate: e.getHeader('Channel-Read-Codec-Bit-Rate'),
        write_codec: e.getHeader('Channel-Write-Codec-Name'),
        write_rate: e.getHeader('Channel-Write-Codec-Rate'),
        write_bit_rate: e.getHeader('Channel-Write-Codec-Bit-Rate'),
        presence_id: e.getHeader('Channel-Presence-ID'),
        presence_data: e.getHeader('Channel-Presence-Data'),
        call_uuid: e.getHeader('Channel-Call-UUID'),
        initial_cid_name: e.getHeader('Caller-Caller-ID-Name'),
        initial_cid_num: e.getHeader('Caller-Caller-ID-Number'),
        initial_ip_addr: e.getHeader('Caller-Network-Addr'),
        initial_dest: e.getHeader('Caller-Destination-Number'),
        initial_dialplan: e.getHeader('Caller-Dialplan'),
        initial_context: e.getHeader('Caller-Context'),
      };
      this.#rows.set(uuid, row);
    }
    if (!row) return;
    row.state = e.getHeader('Channel-State');
    row.callstate = e.getHeader('Channel-Call-State');
    if (e.type === 'CHANNEL_ORIGINATE') row.call_uuid = e.getHeader('Channel-Call-UUID');
    if (e.type === 'CHANNEL_EXECUTE') {
      row.application = e.getHeader('Application');
      row.application_data = e.getHeader('Application-Data');
    }
    const routing = e.type === 'CHANNEL_STATE' && row.state === 'CS_ROUTING';
    if (routing || e.type === 'CHANNEL_CALLSTATE' || e.type === 'CALL_UPDATE' || e.type === 'CHANNEL_ANSWER') {
      row.cid_name = e.getHeader('Caller-Caller-ID-Name');
      row.cid_num = e.getHeader('Caller-Caller-ID-Number');
      row.callee_name = e.getHeader('Caller-Callee-ID-Name');
      row.callee_num = e.getHeader('Caller-Callee-ID-Number');
    }
    if (routing) {
      // switch_core_sqldb.c: entering CS_ROUTING (again after a transfer) refreshes the profile's columns
      row.sent_callee_name = e.getHeader('Sent-Callee-ID-Name');
      row.sent_callee_num = e.getHeader('Sent-Callee-ID-Number');
      row.ip_addr = e.getHeader('Caller-Network-Addr');
      row.dest = e.getHeader('Caller-Destination-Number');
      row.dialplan = e.getHeader('Caller-Dialplan');
      row.context = e.getHeader('Caller-Context');
      row.presence_id = e.getHeader('Channel-Presence-ID');
      row.presence_data = e.getHeader('Channel-Presence-Data');
      row.accountcode = e.getHeader('variable_accountcode');
    }
  }

  remove(uuid: string): void {
    this.#rows.delete(uuid);
    this.#dropCalls(uuid);
  }

  /** switch_core_sqldb's CHANNEL_BRIDGE: both legs get the call uuid, a `calls` row is added. */
  #bridge(e: SwitchEvent): void {
    let a = e.getHeader('Bridge-A-Unique-ID');
    let b = e.getHeader('Bridge-B-Unique-ID');
    if (!a || !b) {
      a = e.getHeader('Caller-Unique-ID') ?? '';
      b = e.getHeader('Other-Leg-Unique-ID') ?? '';
    }
    const callUuid = e.getHeader('Channel-Call-UUID') ?? '';
    for (const u of [a, b]) {
      const row = this.#rows.get(u);
      if (row) row.call_uuid = callUuid;
    }
    const epochUs = Number(e.getHeader('Event-Date-Timestamp') ?? '0');
    this.#calls.set(a, { callUuid, createdEpoch: String(Math.floor(epochUs / 1_000_000)), caller: a, callee: b });
    this.#callers.set(b, a);
  }

  /** CHANNEL_UNBRIDGE: the legs of the call get their own uuid back as call uuid; the call goes. */
  #unbridge(e: SwitchEvent): void {
    const callUuid = e.getHeader('Channel-Call-UUID');
    const caller = e.getHeader('Caller-Unique-ID') ?? '';
    const call = this.#calls.get(caller) ?? this.#calls.get(this.#callers.get(caller) ?? '');
    for (const u of call ? [call.caller, call.callee] : [caller]) {
      const row = this.#rows.get(u);
      if (row && row.call_uuid === callUuid) row.call_uuid = row.uuid;
    }
    this.#dropCalls(caller);
  }

  /** `delete from calls where caller_uuid = uuid or callee_uuid = uuid`. */
  #dropCalls(uuid: string): void {
    const own = this.#calls.get(uuid);
    if (own) {
      this.#calls.delete(uuid);
      if (this.#callers.get(own.callee) === uuid) this.#callers.delete(own.callee);
    }
    const caller = this.#callers.get(uuid);
    if (caller !== undefined) {
      this.#callers.delete(uuid);
      if (this.#calls.get(caller)?.callee === uuid) this.#calls.delete(caller);
    }
  }

  /**
   * The `basic_calls` view: every channel that is a call's caller (with its callee as `b`) or no
   * call's callee, in creation order.
   */
  calls(): { a: ChannelRow; b: ChannelRow | undefined; call: CallRow | undefined }[] {
    const out: { a: ChannelRow; b: ChannelRow | undefined; call: CallRow | undefined }[] = [];
    for (const a of this.rows()) {
      const call = this.#calls.get(a.uuid ?? '');
      if (!call && this.#callers.has(a.uuid ?? '')) continue;
      out.push({ a, b: call ? this.#rows.get(call.callee) : undefined, call });
    }
    return out;
  }

  /** Rows ordered by creation. */
  rows(): ChannelRow[] {
    return [...this.#rows.values()].sort((a, b) => a.seq - b.seq);
  }

  get size(): number {
    return this.#rows.size;
  }
}
