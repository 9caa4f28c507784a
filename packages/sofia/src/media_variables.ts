/** The channel variables of a call's agreed media, as mod_sofia sets them on either direction's channel. */
import type { AudioCodec, MediaOffer } from './sip/sdp.ts';

export interface MediaFacts {
  readonly codec: AudioCodec;
  readonly remote: MediaOffer;
  readonly localMediaIp: string;
  /** What our SDP names (ext-rtp-ip to a peer outside local-network-acl, ext_address.ts). */
  readonly advertisedMediaIp: string;
  readonly localMediaPort: number;
  /** The far end's SDP as it came. */
  readonly remoteSdp: string;
}

export function mediaVariables(media: MediaFacts): [string, string][] {
  return [
    ['switch_r_sdp', media.remoteSdp],
    ['remote_media_ip', media.remote.address],
    ['remote_media_port', String(media.remote.port)],
    ['local_media_ip', media.localMediaIp],
    ['local_media_port', String(media.localMediaPort)],
    ['advertised_media_ip', media.advertisedMediaIp],
    ['rtp_use_codec_name', media.codec.name],
    ['rtp_use_codec_rate', String(media.codec.rate)],
    ['rtp_use_codec_ptime', '20'],
  ];
}
