/**
 * mod_valet_parking's `valet_park <lot> <slot>|ask …|auto in|out <min> <max>`
 * (valet_parking_function). A free slot parks the call: `valet_parking::info` Action hold, the
 * lot's and slot's presence, then the hold music (`valet_hold_music`, else the channel's hold
 * music, else silence) in a loop until the call is retrieved, hung up, leaves with `#` or the
 * orbit exit key, or its time (`valet_parking_timeout`, 60 s with an orbit extension) runs out —
 * then to `valet_parking_orbit_exten` if set. Leaving sends the Empty presence and Action exit.
 * A taken slot retrieves its call: Action bridge with the parked call's data, then the two are
 * bridged. `auto in` takes the first free slot and announces it (`valet_announce_ext`); run on a
 * leg with a partner, it carries the partner into the slot instead (an inline transfer holding
 * the slot's ticket) and hangs itself up. `auto out` retrieves the longest-parked call. `ask`
 * reads the slot's digits.
 */
import { uuidBridge } from '../api/channel_commands.ts';
import { callChannel } from '../api/uuid_commands.ts';
import { holdMusicOf } from '../applications/hold.ts';
import { type ReadStatus, readDigits } from '../applications/ivr.ts';
import { type MediaEnd, mediaWait, playFile } from '../applications/media.ts';
import { type MediaScript, runScript } from '../applications/media_script.ts';
import { playbackSpecial } from '../applications/phrase.ts';
import type { AppChannel, Application } from '../applications/types.ts';
import { Cause } from '../channel/causes.ts';
import { caseEqual, separateString, switchTrue } from '../internal/strings.ts';
import { TOKEN_FREQ, type ValetLot, type ValetTicket, atoi, checkTimeouts, epochSeconds, findLot, nextId } from './lots.ts';
import { sendValetPresence } from './presence.ts';

export const VALET_EVENT = 'valet_parking::info';
export const VALET_APP_SYNTAX = '<lotname> <extension>|[ask [<min>] [<max>] [<to>] [<prompt>]|auto [in|out] [min] [max]]';

/** The `valet_parking::info` event `action` (hold, exit) with this channel's data. */
function valetEvent(ch: AppChannel, lotName: string, ext: string, action: string): void {
  const event = ch.core.bus.create('CUSTOM', VALET_EVENT);
  event.addHeader('Valet-Lot-Name', lotName);
  event.addHeader('Valet-Extension', ext);
  event.addHeader('Action', action);
  ch.addChannelData(event);
  ch.core.fire(event);
}

/** switch_ivr_phrase_macro on the channel. */
function phraseMacro(ch: AppChannel, s: MediaScript, macro: string, data: string): Promise<void> {
  return s.step((d) => playbackSpecial(ch, `phrase:${macro}${data === '' ? '' : `:${data}`}`, d));
}

/** The slot's announcement: 1.5 s, then `valet_announce_ext` with `<lot>:<slot>`. */
async function announce(ch: AppChannel, s: MediaScript, lotName: string, ext: string): Promise<void> {
  await s.step((d) => mediaWait(ch, 1500, d));
  await phraseMacro(ch, s, 'valet_announce_ext', `${lotName}:${ext}`);
}

/** `ask`: switch_ivr_read of the slot, again after each timeout; undefined when the channel went. */
async function askSlot(ch: AppChannel, s: MediaScript, argv: readonly string[], stopped: () => boolean): Promise<string | undefined> {
  const arg = (i: number, name: string) => argv[i] ?? ch.variable(name);
  const positive = (v: string | undefined, dflt: number) => (atoi(v) > 0 ? atoi(v) : dflt);
  const spec = {
    min: positive(arg(2, 'valet_ext_min'), 1),
    max: positive(arg(3, 'valet_ext_max'), 11),
    timeout: positive(arg(4, 'valet_ext_to'), 10000),
    prompt: arg(5, 'valet_ext_prompt') ?? 'ivr/ivr-enter_ext_pound.wav',
    variable: undefined,
    terminators: '#',
    digitTimeout: 0,
  };
  for (;;) {
    let status = 'failure' as ReadStatus;
    let digits = '';
    await s.step((d) =>
      readDigits(ch, spec, async (st, got) => {
        status = st;
        digits = got;
        await d();
      }),
    );
    if (status === 'success') return digits;
    if (status === 'failure' || status === 'aborted' || stopped() || ch.hungUp) return undefined;
  }
}

/** The parked call's own `valet_parking::info` bridge event, then the bridge (from a process of its own). */
function retrieve(ch: AppChannel, s: MediaScript, lotName: string, ext: string, parked: string): Promise<void> {
  const core = ch.core;
  return s.step((d) => {
    ch.aside(async (ctx) => {
      const env = { ctx, core };
      const event = core.bus.create('CUSTOM', VALET_EVENT);
      event.addHeader('Valet-Lot-Name', lotName);
      event.addHeader('Valet-Extension', ext);
      event.addHeader('Action', 'bridge');
      event.addHeader('Bridge-To-UUID', ch.uuid);
      await callChannel(env, parked, { op: 'work', work: (c) => c.addChannelData(event) });
      core.fire(event);
      return uuidBridge(env, parked, ch.uuid);
    }, d);
    // the bridge moves this channel on, which ends the step too
    return d;
  });
}

/** The orbit variables carried into the slot by the inline transfer, each as `set:<name>=<value>,`. */
function carried(ch: AppChannel): string {
  const names = [
    'valet_parking_timeout',
    'valet_parking_orbit_exten',
    'valet_parking_orbit_dialplan',
    'valet_parking_orbit_context',
    'valet_parking_orbit_exit_key',
  ];
  return names.map((n) => (ch.variable(n) === undefined ? '' : `set:${n}=${ch.variable(n)},`)).join('');
}

type Transfer = [exten: string, dialplan: string | undefined, context: string | undefined];

/**
 * The hold music loop, until a digit (`#`, the exit key), the time or the channel's going ends
 * it; the transfer the exit key or the time asks for.
 */
async function holdLoop(ch: AppChannel, s: MediaScript, music: string, stopped: () => boolean): Promise<Transfer | undefined> {
  const exitKey = ch.variable('valet_parking_orbit_exit_key')?.charAt(0) || undefined;
  const orbitExten = ch.variable('valet_parking_orbit_exten');
  let seconds = orbitExten !== undefined ? 60 : 0;
  if (atoi(ch.variable('valet_parking_timeout')) > 0) seconds = atoi(ch.variable('valet_parking_timeout'));
  let timedOut = false;
  const timeUp = () => {
    timedOut = true;
    return s.interrupt();
  };
  const cancel = seconds ? ch.after(seconds * 1000, timeUp) : () => {};
  let exitTransfer: Transfer | undefined;
  const onDigit = (digit: string): boolean => {
    if (exitKey !== undefined && digit === exitKey) {
      ch.core.log('ERR', `valet_on_dtmf() - digit pressed '${digit}' matched valet_parking_orbit_exit_key '${exitKey}'`, ch.uuid);
      const exten = ch.variable('valet_parking_orbit_exten');
      if (exten) {
        const dp = ch.variable('valet_parking_orbit_dialplan') || ch.variable('XML');
        const context = ch.variable('valet_parking_orbit_context') || ch.variable('context');
        ch.core.log('ERR', `valet_on_dtmf() - transferring session to '${exten} ${dp ?? '(null)'} ${context ?? '(null)'}'`, ch.uuid);
        exitTransfer = [exten, dp, context];
      }
      return true;
    }
    return digit === '#';
  };
  let file = music;
  while (!stopped() && !ch.hungUp) {
    let how = 'played' as MediaEnd;
    await s.step((d) => playFile(ch, file, d, (h) => (how = h), onDigit));
    if (timedOut) {
      if (orbitExten) exitTransfer = [orbitExten, ch.variable('valet_parking_orbit_dialplan'), ch.variable('valet_parking_orbit_context')];
      break;
    }
    if (how === 'notfound') {
      // the C would spin on a file that does not open; silence holds the call instead
      ch.core.log('WARNING', `valet_park: cannot play ${file}, holding in silence`, ch.uuid);
      file = 'silence_stream://-1';
      continue;
    }
    if (how !== 'played') break;
  }
  cancel();
  return exitTransfer;
}

/** Whether the slot's ticket may be taken by this channel: its `valet_ticket` answers a reservation. */
function ticketAccepted(ch: AppChannel, ticket: ValetTicket): boolean {
  if (!ticket.timeout) return true;
  const held = ch.variable('valet_ticket');
  if (!held) return true;
  if (held === ticket.uuid) {
    ch.core.log('DEBUG', `Valet ticket ${held} accepted.`, ch.uuid);
    ticket.timeout = 0;
    ch.setVariable('valet_ticket', undefined);
    return true;
  }
  ch.core.log('ERR', `Invalid token ${ticket.uuid}`, ch.uuid);
  return false;
}

/** The slot `ext` given to this channel (a stale or bridged ticket is replaced). */
function takeSlot(ch: AppChannel, lot: ValetLot, ticket: ValetTicket | undefined, ext: string): ValetTicket {
  if (ticket) lot.tickets.delete(ticket.ext);
  const t: ValetTicket = ticket ?? { ext, uuid: ch.uuid, timeout: 0, bridged: false, startTime: 0 };
  Object.assign(t, { ext, uuid: ch.uuid, timeout: 0, bridged: false, startTime: epochSeconds(ch.core) });
  lot.tickets.set(ext, t);
  return t;
}

async function valetPark(ch: AppChannel, data: string, s: MediaScript, stopped: () => boolean): Promise<void> {
  const core = ch.core;
  const usage = () => core.log('ERR', `Usage: ${VALET_APP_SYNTAX}`, ch.uuid);
  checkTimeouts(core);
  const announceVar = ch.variable('valet_announce_slot');
  const playAnnounce = announceVar === undefined || switchTrue(announceVar);
  const argv = data.trim() === '' ? [] : separateString(data, ' ', 6);
  const [lotName, slot] = argv;
  if (lotName === undefined || slot === undefined) return usage();
  let ext = slot;
  const lot = findLot(core, lotName, true) as ValetLot;
  let ticket: ValetTicket | undefined;
  /** auto in (true) / out (false); undefined for a slot or ask. */
  let inbound: boolean | undefined;
  if (caseEqual(slot, 'auto')) {
    const io = argv[2] ?? '';
    if (argv.length < 5 || (!caseEqual(io, 'in') && !caseEqual(io, 'out'))) return usage();
    inbound = caseEqual(io, 'in');
    ticket = nextId(lot, ch.uuid, atoi(argv[3]), atoi(argv[4]), inbound, epochSeconds(core));
    if (!ticket) {
      await phraseMacro(ch, s, inbound ? 'valet_lot_full' : 'valet_lot_empty', '');
      core.log('ERR', `${ch.name} lot is ${inbound ? 'full' : 'empty'}.`, ch.uuid);
      return;
    }
    ext = ticket.ext;
  } else if (caseEqual(slot, 'ask')) {
    const asked = await askSlot(ch, s, argv, stopped);
    if (asked === undefined) {
      await ch.send({ type: 'HANGUP', cause: Cause.DESTINATION_OUT_OF_ORDER });
      return;
    }
    ext = asked;
  }

  if (!ticket || inbound === false) {
    ticket ??= lot.tickets.get(ext);
    if (ticket && !ticket.bridged) {
      if (!ticketAccepted(ch, ticket)) {
        await ch.send({ type: 'HANGUP', cause: Cause.DESTINATION_OUT_OF_ORDER });
        return;
      }
      const parked = ticket.uuid;
      if (parked && parked !== ch.uuid && core.sessions.has(parked)) {
        ticket.timeout = 0;
        ticket.bridged = true;
        return retrieve(ch, s, lotName, ext, parked);
      }
    }
    ticket = takeSlot(ch, lot, ticket, ext);
  }

  let music = ch.variable('valet_hold_music') || holdMusicOf((n) => ch.variable(n)) || 'silence';
  if (caseEqual(music, 'silence')) music = 'silence_stream://-1';
  const dest = `${carried(ch)}set:valet_ticket=${ticket.uuid},set:valet_hold_music='${music}',sleep:1000,valet_park:${lotName} ${ext}`;
  ch.setVariable('inline_destination', dest);

  if (inbound) {
    const partner = ch.variable('signal_bond') || ch.variable('originate_signal_bond');
    if (partner && core.sessions.has(partner)) {
      ticket.timeout = epochSeconds(core) + TOKEN_FREQ;
      if (playAnnounce) await announce(ch, s, lotName, ext);
      await s.step((d) => {
        ch.aside((ctx) => callChannel({ ctx, core }, partner, { op: 'redirect', destination: dest, dialplan: 'inline' }), d);
        return d;
      });
      await ch.send({ type: 'HANGUP', cause: Cause.NORMAL_CLEARING });
      // left: the carried call takes the ticket back with its valet_ticket
      ticket.timeout = 1;
      return;
    }
    if (playAnnounce) await announce(ch, s, lotName, ext);
  }

  valetEvent(ch, lotName, ext, 'hold');
  ch.setVariable('valet_lot_extension', ext);
  sendValetPresence(core, lotName, lot, ticket, true);
  const transfer = await holdLoop(ch, s, music, stopped);
  ticket.timeout = 1;
  sendValetPresence(core, lotName, lot, ticket, false);
  valetEvent(ch, lotName, ext, 'exit');
  if (transfer) await ch.redirect(...transfer);
}

export const VALET_PARK_APP: Application = {
  name: 'valet_park',
  needsMedia: true,
  breakable: true,
  syntax: VALET_APP_SYNTAX,
  description: 'valet_park',
  module: 'mod_valet_parking',
  run: async (ch, data, done) => {
    let stopped = false;
    const interrupt = await runScript((s) => valetPark(ch, data, s, () => stopped), done);
    return (
      interrupt &&
      (() => {
        stopped = true;
        return interrupt();
      })
    );
  },
};
