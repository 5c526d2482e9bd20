import { randomBytes } from 'node:crypto';

/**
 * A random 128-bit certificate serial as lower-case hex. The first byte is 0x01..0x7f so the DER
 * INTEGER is positive and exactly 16 octets (no sign padding, no stripped leading zero).
 */
export function randomSerialHex(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) || 0x01;
  return bytes.toString('hex');
}
