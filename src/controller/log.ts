/**
 * log: structured logging with winston. JSON lines by default (`level`, `msg`, `time`, plus the
 * fields a reconcile adds: `controller`, `namespace`, `name`, `reconcileID`, `revision`,
 * `durationMs`, `error` with its stack), or a human console format for local runs.
 */
import winston from 'winston';

export type Logger = winston.Logger;

export interface LogOptions {
  level?: string;
  format?: 'json' | 'console';
}

/** createLogger builds the process logger; children add fields with `logger.child({...})`. */
export function createLogger(opts: LogOptions = {}): Logger {
  const base = [winston.format.errors({ stack: true }), winston.format.timestamp({ alias: 'time' })];
  const format =
    opts.format === 'console'
      ? winston.format.combine(
          ...base,
          winston.format.printf((i) => {
            const { level, message, timestamp, time, stack, ...rest } = i as Record<string, unknown>;
            void timestamp;
            const fields = Object.entries(rest)
              .filter(([k]) => typeof k === 'string')
              .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
              .join(' ');
            return `${String(time).slice(11, 23)} ${String(level).toUpperCase().padEnd(5)} ${message}${fields ? ' ' + fields : ''}${stack ? '\n' + stack : ''}`;
          }),
        )
      : winston.format.combine(
          ...base,
          winston.format((i) => {
            const r = i as Record<string, unknown>;
            r.msg = r.message;
            delete r.message;
            delete r.timestamp;
            return i;
          })(),
          winston.format.json(),
        );
  return winston.createLogger({
    level: opts.level ?? 'info',
    format,
    transports: [
      new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'debug', 'verbose', 'silly'] }),
    ],
  });
}
