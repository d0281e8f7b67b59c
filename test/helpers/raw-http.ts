/**
 * @module Raw HTTP/1.x over a loopback socket, for requests `fetch` cannot send: odd Host values,
 * repeated header lines, CONNECT, absolute- and asterisk-form targets. One request per connection.
 */
import { connect } from "node:net";

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The response exactly as it came, head and body. */
  raw: string;
}

/**
 * Sends `head` (request line and header lines, without the blank line) plus `body` to
 * 127.0.0.1:`port` and resolves with the first response: once its Content-Length is complete, or when
 * the server closes the connection. Rejects after `timeoutMs` with what arrived so far.
 */
export function rawRequest(port: number, head: string[], body = "", timeoutMs = 5000): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(head.join("\r\n") + "\r\n\r\n" + body));
    let received = "";
    let done = false;
    const finish = (error?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const parsed = error === undefined ? parse(received) : undefined;
      if (parsed) resolve(parsed);
      else reject(error ?? new Error(`no complete HTTP response; got ${JSON.stringify(received)}`));
    };
    const timer = setTimeout(() => finish(new Error(`no response in ${timeoutMs} ms; got ${JSON.stringify(received)}`)), timeoutMs);
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => {
      received += chunk;
      const parsed = parse(received);
      if (parsed && parsed.headers["content-length"] !== undefined) finish();
    });
    socket.on("end", () => finish());
    socket.on("close", () => finish());
    socket.on("error", (err) => finish(err));
  });
}

/** The response in `text` when its head is complete and its Content-Length body has arrived. */
function parse(text: string): RawResponse | undefined {
  const end = text.indexOf("\r\n\r\n");
  if (end < 0) return undefined;
  const [statusLine, ...lines] = text.slice(0, end).split("\r\n");
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const body = text.slice(end + 4);
  const length = headers["content-length"];
  if (length !== undefined && body.length < Number(length)) return undefined;
  return { status: Number(statusLine!.split(" ")[1]), headers, body: length === undefined ? body : body.slice(0, Number(length)), raw: text };
}
