/**
 * A member's volume levels (-4..4) and what they do to audio: switch_change_sln_volume, the
 * coarse scale the conference uses for what a member says (volume_in) and hears (volume_out).
 */
export { changeSlnVolume, normalizeVolume } from '../media/sln_volume.ts';
