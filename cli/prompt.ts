/** @module Reading a password: from a terminal without echo, or the first line of piped stdin. */
import { CliError } from "./errors";

/** Reads a password; `label` is written to stderr when stdin is a terminal. */
export async function readPassword(label = "Password: "): Promise<string> {
  if (process.stdin.isTTY) return readHidden(label);
  const text = await Bun.stdin.text();
  const password = text.split(/\r?\n/)[0] ?? "";
  if (!password) throw new CliError("no password given (type it at the prompt or pipe it on stdin)");
  return password;
}

function readHidden(label: string): Promise<string> {
  const stdin = process.stdin;
  // Echo goes off before the prompt shows, so a password typed or pasted at once is never displayed.
  stdin.setRawMode(true);
  stdin.resume();
  process.stderr.write(label);
  return new Promise((resolve, reject) => {
    let value = "";
    const finish = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off("data", onData);
      process.stderr.write("\n");
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString("utf8")) {
        if (ch === "\r" || ch === "\n") return finish();
        if (ch === "\u0003") return finish(new CliError("cancelled"));
        if (ch === "\u007f" || ch === "\b") value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on("data", onData);
  });
}
