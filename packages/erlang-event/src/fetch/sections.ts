/**
 * `{bind, Section}`'s section names (spec §1.14), pure: the lowercased atom is matched by
 * substring against the six section names, bits OR-ed (`configuration` → config); a request's
 * section matches a binding only when the binding's mask is exactly that section's bit, so a name
 * matching two sections (`dialplan_directory`) is accepted but never asked (the original's quirk).
 */
import type { XmlSectionName } from '@beamline/switch';

/** switch_xml_section_t bits, in the order `{bind, _}` tests them. */
const BITS: readonly (readonly [match: string, bit: number, section: XmlSectionName])[] = [
  ['config', 1, 'configuration'],
  ['directory', 2, 'directory'],
  ['dialplan', 4, 'dialplan'],
  ['languages', 8, 'languages'],
  ['chatplan', 16, 'chatplan'],
  ['channels', 32, 'channels'],
];

/** The mask for a `{bind, Name}` atom; 0 = no section (`{error, badarg}`). */
export function sectionMask(name: string): number {
  const lower = name.toLowerCase();
  let mask = 0;
  for (const [match, bit] of BITS) if (lower.includes(match)) mask |= bit;
  return mask;
}

export function sectionBit(section: XmlSectionName): number {
  return BITS.find(([, , s]) => s === section)?.[1] ?? 0;
}

/** As `erlang bindings` prints a mask (switch_xml_toxml's names; languages are `phrases`). */
export function sectionLabel(mask: number): string {
  switch (mask) {
    case 1:
      return 'config';
    case 2:
      return 'directory';
    case 4:
      return 'dialplan';
    case 8:
      return 'phrases';
    case 16:
      return 'chatplan';
    default:
      return `unknown ${mask}`;
  }
}
