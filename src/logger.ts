import pino, { type DestinationStream, type Logger } from 'pino';

/** Paths pino blanks out wherever they appear, as a second line of defence: nothing logs bodies anyway. */
export const REDACT_PATHS = [
  'authorization', '*.authorization', 'headers.authorization', '*.headers.authorization',
  'token', '*.token', 'privateKeyPEM', '*.privateKeyPEM', 'csr', '*.csr', 'payload', '*.payload',
  'plaintext', '*.plaintext', 'masterKey', '*.masterKey',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    { level, base: { service: 'okmsd' }, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, timestamp: pino.stdTimeFunctions.isoTime },
    destination ?? pino.destination({ fd: 1, sync: false }),
  );
}
