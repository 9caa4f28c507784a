/**
 * @beamline/sofia: a SIP face for the switch (mod_sofia's minimum, freeswitch_semantics §9.4), so
 * a real SIP phone can register and call in: REGISTER with digest auth against the directory,
 * INVITE → an inbound channel routed by the dialplan, ring / early media / answer / BYE / CANCEL,
 * telephone-event digits in and out, `sofia status`, `sofia_contact`. README.md says what each
 * part does and what is left out.
 */
export { Sofia, loadSofia, type SofiaOptions } from './module.ts';
export { PROFILE_DEFAULTS, SofiaConfigError, profilesFromXml, type ProfileConfig } from './config.ts';
export { SipParseError, formatMessage, header, parseMessage, type SipMessage, type SipRequest, type SipResponse } from './sip/message.ts';
export { parseNameAddr, parseUri, parseVia, type NameAddr, type SipUri, type Via } from './sip/address.ts';
export { causeToSipStatus, reasonHeader, sipStatusToCause, statusPhrase } from './sip/causes.ts';
export { challenge, expectedResponse, parseAuthorization, type DigestCredentials } from './sip/digest.ts';
export { formatSdp, negotiate, parseSdp, type MediaOffer, type Negotiated } from './sip/sdp.ts';
export { parseTelephoneEvent } from './rtp.ts';
export type { ProfileStatus } from './profile.ts';
