/**
 * switch_uuid_get: a version 4 (random) uuid, or with `fsctl uuid_version 7` / switch.conf
 * `uuid-version` 7 a version 7 one (RFC 9562: 48 bits of Unix milliseconds, then random bits), so
 * new channel and job uuids sort by creation time.
 */
import { randomBytes, randomUUID } from 'node:crypto';

export function uuidOfVersion(version: number, nowMs: number): string {
  if (version !== 7) return randomUUID();
  const b = randomBytes(16);
  let ms = Math.floor(nowMs);
  for (let i = 5; i >= 0; i--) {
    b[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  b[6] = 0x70 | (b[6]! & 0x0f);
  b[8] = 0x80 | (b[8]! & 0x3f);
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
