import { createLogger, type Logger } from '../../src/shared/logger';

export interface CapturedLogs {
  /** The application's logger (its redaction rules), writing here instead of stdout. */
  log: Logger;
  /** Every line logged so far, parsed. */
  lines: Array<Record<string, any>>;
}

/** A logger whose JSON lines are kept for the test to read. */
export function captureLogs(level = 'debug'): CapturedLogs {
  const lines: Array<Record<string, any>> = [];
  const destination = {
    write(chunk: string) {
      for (const line of chunk.split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, any>);
    },
  };
  return { log: createLogger(level, destination), lines };
}
