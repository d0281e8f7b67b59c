/** @module A small levelled logger writing one JSON object per line to stdout (errors to stderr). */

export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** Cheap guard for hot paths: skip building fields when the level is off. */
  enabled(level: LogLevel): boolean;
}

/** Logger that drops levels below `level`. `sink` is replaceable so tests can capture lines. */
export function createLogger(level: LogLevel, sink: (line: string, level: LogLevel) => void = writeLine): Logger {
  const min = RANK[level];
  const emit = (lvl: LogLevel, msg: string, fields?: LogFields) => {
    if (RANK[lvl] < min) return;
    sink(JSON.stringify({ time: new Date().toISOString(), level: lvl, msg, ...fields }), lvl);
  };
  return {
    debug: (msg, fields) => emit("debug", msg, fields),
    info: (msg, fields) => emit("info", msg, fields),
    warn: (msg, fields) => emit("warn", msg, fields),
    error: (msg, fields) => emit("error", msg, fields),
    enabled: (lvl) => RANK[lvl] >= min,
  };
}

function writeLine(line: string, level: LogLevel): void {
  if (level === "error" || level === "warn") process.stderr.write(line + "\n");
  else process.stdout.write(line + "\n");
}

/** Logger that prints nothing, for tests and tools. */
export const silentLogger: Logger = createLogger("silent");
