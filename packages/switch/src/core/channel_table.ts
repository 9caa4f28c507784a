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
    const h = (n: string) => e.getHeader(n);
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
      const epochUs = Number(h('Event-Date-Timestamp') ?? '0');
      row = {
        seq: ++this.#order,
        uuid,
        direction: h('Call-Direction'),
        created: h('Event-Date-Local'),
        created_epoch: String(Math.floor(epochUs / 1_000_000)),
        name: h('Channel-Name'),
        hostname,
        cid_name: h('Caller-Caller-ID-Name'),
        cid_num: h('Caller-Caller-ID-Number'),
        ip_addr: h('Caller-Network-Addr'),
        dest: h('Caller-Destination-Number'),
        dialplan: h('Caller-Dialplan'),
        context: h('Caller-Context'),
        read_codec: h('Channel-Read-Codec-Name'),
        read_rate: h('Channel-Read-Codec-Rate'),
        read_bit_rate: h('Channel-Read-Codec-Bit-Rate'),
        write_codec: h('Channel-Write-Codec-Name'),
        write_rate: h('Channel-Write-Codec-Rate'),
        write_bit_rate: h('Channel-Write-Codec-Bit-Rate'),
        presence_id: h('Channel-Presence-ID'),
        presence_data: h('Channel-Presence-Data'),
        call_uuid: h('Channel-Call-UUID'),
        initial_cid_name: h('Caller-Caller-ID-Name'),
        initial_cid_num: h('Caller-Caller-ID-Number'),
        initial_ip_addr: h('Caller-Network-Addr'),
        initial_dest: h('Caller-Destination-Number'),
        initial_dialplan: h('Caller-Dialplan'),
        initial_context: h('Caller-Context'),
      };
      this.#rows.set(uuid, row);
    }
    if (!row) return;
    row.state = h('Channel-State');
    row.callstate = h('Channel-Call-State');
    if (e.type === 'CHANNEL_ORIGINATE') row.call_uuid = h('Channel-Call-UUID');
    if (e.type === 'CHANNEL_EXECUTE') {
      row.application = h('Application');
      row.application_data = h('Application-Data');
    }
    const routing = e.type === 'CHANNEL_STATE' && row.state === 'CS_ROUTING';
    if (routing || e.type === 'CHANNEL_CALLSTATE' || e.type === 'CALL_UPDATE' || e.type === 'CHANNEL_ANSWER') {
      row.cid_name = h('Caller-Caller-ID-Name');
      row.cid_num = h('Caller-Caller-ID-Number');
      row.callee_name = h('Caller-Callee-ID-Name');
      row.callee_num = h('Caller-Callee-ID-Number');
    }
    if (routing) {
      // switch_core_sqldb.c: entering CS_ROUTING (again after a transfer) refreshes the profile's columns
      row.sent_callee_name = h('Sent-Callee-ID-Name');
      row.sent_callee_num = h('Sent-Callee-ID-Number');
      row.ip_addr = h('Caller-Network-Addr');
      row.dest = h('Caller-Destination-Number');
      row.dialplan = h('Caller-Dialplan');
      row.context = h('Caller-Context');
      row.presence_id = h('Channel-Presence-ID');
      row.presence_data = h('Channel-Presence-Data');
      row.accountcode = h('variable_accountcode');
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
