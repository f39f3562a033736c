// Structured logs, one JSON object a line. Values pass through redact() so a token given to
// the logger by mistake never reaches the output.

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
  const secrets = (opts.secrets ?? []).filter((s) => s.length >= 4);
  const write = opts.write ?? ((line: string) => process.stderr.write(line + '\n'));
  // A JSON line carries a secret with `"` or `\` in its escaped form: redact that form too.
  const forms = secrets.flatMap((s) => [s, JSON.stringify(s).slice(1, -1)]);
  const redact = (s: string): string => forms.reduce((acc, sec) => acc.split(sec).join('***'), s);
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
