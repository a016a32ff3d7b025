import { createLogger, type Logger } from '../../src/shared/logger';

/** One pino line: its level and message, and whatever fields it was logged with. */
export interface LogLine {
  level: number;
  msg: string;
  requestId?: string;
  err?: { message: string };
  [field: string]: unknown;
}

export interface CapturedLogs {
  /** The application's logger (its redaction rules), writing here instead of stdout. */
  log: Logger;
  /** Every line logged so far, parsed. */
  lines: LogLine[];
}

/** A logger whose JSON lines are kept for the test to read. */
export function captureLogs(level = 'debug'): CapturedLogs {
  const lines: LogLine[] = [];
  const destination = {
    write(chunk: string) {
      for (const line of chunk.split('\n')) if (line) lines.push(JSON.parse(line) as LogLine);
    },
  };
  return { log: createLogger(level, destination), lines };
}
