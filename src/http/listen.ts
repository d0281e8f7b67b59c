/**
 * @module Binding the API listener (contract §2 "listening"): a used address is refused at start,
 * and several servers share one address only when `OB_REUSE_PORT=true` says so.
 *
 * Measured on Bun 1.4.5 (two processes, one port): with `development: false` and no `reusePort`,
 * Bun sets SO_REUSEPORT itself, so a second server binds the same port and the kernel splits
 * connections between two servers with two databases. Passing `reusePort: false` gives an exclusive
 * bind: the second `Bun.serve` throws `EADDRINUSE`, also against a first server that has
 * SO_REUSEPORT on (Linux shares a port only when every socket on it asked to). So the option is
 * always passed, explicitly.
 *
 * Errors thrown inside a request escape to Bun's `error` callback; without one Bun answers a plain
 * text 500 and prints the error with an excerpt of the (minified) source. The callback here answers
 * the JSON error shape and logs one line.
 */
import type { Serve, Server } from "bun";
import type { Logger } from "../lib/log";
import { randomBase62 } from "../lib/ids";
import { urlHost } from "../lib/ip";
import { internalError } from "./errors";
import { renderError } from "./render-error";

/** The server could not bind its address; the message names it ("cannot listen on 127.0.0.1:11337: address in use"). */
export class ListenError extends Error {
  override name = "ListenError";
  constructor(
    readonly address: string,
    readonly reason: string,
  ) {
    super(`cannot listen on ${address}: ${reason}`);
  }
}

const REASONS: Record<string, string> = {
  EADDRINUSE: "address in use",
  EACCES: "permission denied",
  EADDRNOTAVAIL: "address not available on this machine",
};

/** `host:port` as a client would write it (`[::1]:11337`). */
export function formatAddress(host: string, port: number): string {
  return `${urlHost(host)}:${port}`;
}

/**
 * `Bun.serve(options)` with `reusePort` set to exactly `reusePort` and the `error` callback of
 * {@link serverErrorHandler}. Throws {@link ListenError} when the address cannot be bound.
 */
export function listen<T>(options: Serve.Options<T> & { hostname: string; port: number }, reusePort: boolean, log: Logger): Server<T> {
  try {
    return Bun.serve({ ...options, reusePort, error: serverErrorHandler(log) } as Serve.Options<T>);
  } catch (err) {
    const code = (err as { code?: string } | undefined)?.code;
    const reason = (code !== undefined && REASONS[code]) || (err as Error | undefined)?.message || String(err);
    throw new ListenError(formatAddress(options.hostname, options.port), reason);
  }
}

/**
 * Bun's last-resort `error` callback: a bug escaped a handler. Answers 500 `http.internal` with an id
 * that is also in the log line; logs the error and its stack frames, never Bun's source excerpt.
 */
export function serverErrorHandler(log: Logger): (error: Error) => Response {
  return (error) => {
    const id = randomBase62(16);
    log.error("unhandled server error", { id, error: String(error), stack: error?.stack });
    return renderError(internalError(id));
  };
}
