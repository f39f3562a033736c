// Structured logs, one JSON object a line. Every line passes through the redactor
// (support/redact.ts) so a token given to the logger by mistake never reaches the output.
import { createRedactor } from './redact.ts';

export type Fields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
  child(fields: Fields): Logger;
}

type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LoggerOptions {
  readonly level?: Level;
  readonly secrets?: readonly string[];
  readonly write?: (line: string) => void;
  readonly format?: 'json' | 'text';
}

export function createLogger(opts: LoggerOptions = {}, bound: Fields = {}): Logger {
  const min = ORDER[opts.level ?? 'info'];
  const write = opts.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const redact = createRedactor(opts.secrets ?? []);
  const emit = (level: Level, msg: string, fields?: Fields): void => {
    if (ORDER[level] < min) return;
    const record = { time: new Date().toISOString(), level, msg, ...bound, ...fields };
    let line: string;
    if (opts.format === 'text') {
      const rest = Object.entries({ ...bound, ...fields })
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join(' ');
      line = `${record.time} ${level.toUpperCase().padEnd(5)} ${msg}${rest ? ' ' + rest : ''}`;
    } else {
      line = JSON.stringify(record, (_k, v: unknown) => (v instanceof Error ? v.message : v));
    }
    write(redact(line));
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (f) => createLogger(opts, { ...bound, ...f }),
  };
}
