import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * JSON logs on stdout. Authorization headers and secrets are redacted at the
 * source so a careless `log.info({ req })` cannot leak a key.
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'dynamic-chat-api' },
    redact: {
      paths: [
        'authorization',
        '*.authorization',
        'headers.authorization',
        '*.headers.authorization',
        'secret',
        '*.secret',
      ],
      censor: '[redacted]',
    },
  });
}
