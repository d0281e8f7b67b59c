/**
 * @module A loopback listener whose accept queue is full, so new connections hang in connect (the
 * kernel drops their SYNs): the "host that never answers" for connect-timeout tests, without leaving
 * the machine. python3 holds the socket because Bun's listeners accept eagerly.
 */

export interface BlackHole {
  port: number;
  /** `http://127.0.0.1:<port>`. */
  url: string;
  [Symbol.dispose](): void;
}

/** Starts the listener and fills its backlog of one; dispose closes both. */
export async function blackHole(): Promise<BlackHole> {
  const py = Bun.spawn(["python3", "-c", "import socket,time\ns=socket.socket()\ns.bind(('127.0.0.1',0))\ns.listen(0)\nprint(s.getsockname()[1],flush=True)\ntime.sleep(120)"], { stdout: "pipe" });
  try {
    const { value } = await py.stdout.getReader().read();
    const port = Number(new TextDecoder().decode(value).trim());
    // Fill the accept queue (backlog 0 holds one connection) so further SYNs are dropped.
    const filler = await Bun.connect({ hostname: "127.0.0.1", port, socket: { data() {} } });
    return { port, url: `http://127.0.0.1:${port}`, [Symbol.dispose]: () => (filler.end(), py.kill()) };
  } catch (err) {
    py.kill(); // a failed setup must not leave the listener sleeping for two minutes
    throw err;
  }
}
