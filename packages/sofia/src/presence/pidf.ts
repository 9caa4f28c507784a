/**
 * The body of a presence NOTIFY from a PRESENCE_IN event, as sofia_presence.c decides it: the
 * event's `status` and `rpid` (the presence event handler's clean-up, then the subscription
 * callback's defaults), `force-status` over the status line, and gen_pidf's rules: `closed` or
 * `Unregistered` is basic closed with no activity, `Registered…` reads `Available`, and
 * `Available` has no activity. A subscriber whose User-Agent names Polycom gets the old XPIDF.
 */

/** An event's header by name (any case). */
export type HeaderOf = (name: string) => string | undefined;

export interface Body {
  readonly contentType: string;
  readonly body: string;
}

const given = (v: string | undefined): string | undefined => (v === undefined || v === '' ? undefined : v);
const same = (a: string | undefined, b: string) => a !== undefined && a.toLowerCase() === b;
const FALSE_WORDS = new Set(['no', 'false', 'off', 'disabled', '0']);

/** sofia_presence_translate_rpid: `dnd` and `idle` are busy; a `null` rpid takes the status. */
function eventRpid(rpid: string | undefined, status: string | undefined): string | undefined {
  const r = rpid !== undefined && /null/i.test(rpid) ? status : rpid;
  if (r === undefined) return undefined;
  return same(r, 'dnd') || same(r, 'idle') ? 'busy' : r;
}

/** translate_rpid: the activity element's name (none for `unknown`). */
function activity(rpid: string | undefined): string | undefined {
  if (rpid === undefined || rpid === '' || /null/i.test(rpid) || same(rpid, 'unknown')) return undefined;
  if (same(rpid, 'unavailable')) return 'away';
  if (same(rpid, 'idle')) return 'busy';
  return rpid;
}

/** The status line, rpid and activity a PRESENCE_IN gives a presence subscriber. */
export function presenceState(h: HeaderOf): { open: 'open' | 'closed'; note: string; rpid: string; activity: string | undefined } {
  let status = given(h('status'));
  if (same(status, 'n/a')) status = undefined;
  let rpid = given(h('rpid'));
  if (same(rpid, 'n/a')) rpid = undefined;
  if (status !== undefined && /CS_HANGUP/i.test(status)) status = 'Available';
  if (rpid !== undefined) rpid = eventRpid(rpid, status);
  rpid ??= 'unknown';
  status ??= same(rpid, 'busy') ? 'Busy' : same(rpid, 'unavailable') || same(rpid, 'away') ? 'Idle' : 'Available';

  let statusLine = status;
  const uuid = given(h('unique-id'));
  let astate = h('astate') ?? '';
  if (uuid !== undefined) {
    astate = given(h('answer-state')) ?? astate;
    if (astate === '') astate = 'terminated';
    if (same(astate, 'answered')) astate = 'confirmed';
    if (same(astate, 'ringing')) astate = 'early';
  }
  if (same(h('channel-state'), 'cs_hangup')) astate = 'hangup';
  const resub = h('resub');
  if (resub !== undefined && FALSE_WORDS.has(resub.toLowerCase())) {
    // a channel's own presence: what it is doing, and with whom
    const direction = h('Caller-Direction');
    const outbound = same(direction, 'outbound');
    const other = given(outbound ? h('Other-Leg-Caller-ID-Number') : h('Caller-Callee-ID-Number')) ?? given(h('Caller-Destination-Number'));
    const what = direction !== undefined && !outbound ? 'Call' : 'Ring';
    const over = astate === 'terminated' || astate === 'hangup';
    if (astate === 'early') {
      if (other !== undefined) statusLine = `${what} ${other}`;
      rpid = 'on-the-phone';
    } else if (astate === 'confirmed') {
      statusLine = other !== undefined ? `Talk ${other}` : 'On The Phone';
      rpid = 'on-the-phone';
    }
    if (!over && status === 'hold') {
      rpid = 'on-the-phone';
      if (other !== undefined) statusLine = `Hold ${other}`;
    }
  }
  const forced = given(h('force-status'));
  if (forced !== undefined) statusLine = forced;
  return { open: 'open', note: statusLine, rpid, activity: activity(rpid) };
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&apos;').replace(/"/g, '&quot;');

/**
 * gen_pidf: `entity` is the presentity (`sip:<user>@<host>`), `contactUrl` our own URL (XPIDF's
 * address), `userAgent` the subscriber's.
 */
export function pidfBody(h: HeaderOf, entity: string, userAgent: string, contactUrl: string): Body {
  const s = presenceState(h);
  if (/poly/i.test(userAgent)) {
    let substatus = s.activity ?? 'online';
    if (substatus === 'on-the-phone') substatus = 'onthephone';
    return {
      contentType: 'application/xpidf+xml',
      body:
        '<?xml version="1.0"?>\n' +
        '<!DOCTYPE presence PUBLIC "-//IETF//DTD RFCxxxx XPIDF 1.0//EN" "xpidf.dtd">\n' +
        '<presence>\n' +
        ` <status>\n  <note>${xml(s.note)}</note>\n </status>\n` +
        ` <presentity uri="${xml(entity)};method=SUBSCRIBE" />\n` +
        ` <atom id="${xml(entity)}">\n` +
        `  <address uri="${xml(contactUrl)};user=ip" priority="0.800000">\n` +
        `   <status status="${s.open}" />\n` +
        `   <msnsubstatus substatus="${xml(substatus)}" />\n` +
        '  </address>\n </atom>\n</presence>\n',
    };
  }
  let open: string = s.open;
  let note = s.note;
  let act = s.activity;
  if (same(open, 'closed')) {
    note = 'Unregistered';
    act = undefined;
  }
  if (/^registered/i.test(note)) note = 'Available';
  if (same(note, 'available')) act = undefined;
  if (same(note, 'unregistered')) {
    act = undefined;
    open = 'closed';
  }
  const activities = act === undefined ? '' : `  <rpid:activities>\n   <rpid:${act.replace(/[^A-Za-z0-9_-]/g, '')}/>\n  </rpid:activities>\n`;
  return {
    contentType: 'application/pidf+xml',
    body:
      '<?xml version="1.0" encoding="ISO-8859-1"?>\n' +
      "<presence xmlns='urn:ietf:params:xml:ns:pidf' " +
      "xmlns:dm='urn:ietf:params:xml:ns:pidf:data-model' " +
      "xmlns:rpid='urn:ietf:params:xml:ns:pidf:rpid' " +
      `xmlns:c='urn:ietf:params:xml:ns:pidf:cipid' entity='${xml(entity)}'>\n` +
      " <tuple id='t6a5ed77e'>\n" +
      `  <status>\n   <basic>${open}</basic>\n  </status>\n` +
      ' </tuple>\n' +
      " <dm:person id='p06360c4a'>\n" +
      activities +
      `  <dm:note>${xml(note)}</dm:note>\n` +
      ' </dm:person>\n' +
      '</presence>',
  };
}
