/**
 * @module Reading a slug or a password: from a terminal (passwords without echo), or line by line from
 * piped stdin (`printf 'slug\npassword\n' | oo login`), each answer taking the next line.
 */
import { CliError } from "./errors";

let piped: string[] | undefined;

/** Reads a visible answer (a slug); `label` is written to stderr when stdin is a terminal. */
export function readLine(label: string, what = "an answer"): Promise<string> {
  return ask(label, true, what);
}

/** Reads a password; `label` is written to stderr when stdin is a terminal. */
export function readPassword(label = "Password: "): Promise<string> {
  return ask(label, false, "no password given (type it at the prompt or pipe it on stdin)");
}

async function ask(label: string, echo: boolean, missing: string): Promise<string> {
  let value: string;
  if (process.stdin.isTTY) value = await readTerminal(label, echo);
  else {
    piped ??= (await Bun.stdin.text()).split(/\r?\n/);
    value = piped.shift() ?? "";
  }
  if (!value) throw new CliError(missing.startsWith("no ") ? missing : `no ${missing} given (type it at the prompt or pipe it on stdin)`);
  return value;
}

function readTerminal(label: string, echo: boolean): Promise<string> {
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
        if (ch === "\u007f" || ch === "\b") {
          if (echo && value) process.stderr.write("\b \b");
          value = value.slice(0, -1);
        } else {
          value += ch;
          if (echo) process.stderr.write(ch);
        }
      }
    };
    stdin.on("data", onData);
  });
}
