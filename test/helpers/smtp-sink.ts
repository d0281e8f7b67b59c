/**
 * @module A real SMTP server on loopback for tests (`smtp-server` from the nodemailer project; no
 * STARTTLS, no AUTH), whose messages are parsed with `mailparser`: `await using sink = await smtpSink()`,
 * then `await sink.next()` for the next message to arrive (no polling, no sleeps).
 */
import { SMTPServer } from "smtp-server";
import { simpleParser, type ParsedMail } from "mailparser";

export interface SinkMessage {
  to: string[];
  from: string;
  mail: ParsedMail;
  /** performance.now() when the message was accepted (end of DATA). */
  receivedAt: number;
}

export interface SmtpSink extends AsyncDisposable {
  port: number;
  url: string;
  /** Every message so far, in arrival order. */
  messages: SinkMessage[];
  /** The next message not yet taken by next(), waiting for it if need be. */
  next(): Promise<SinkMessage>;
}

export async function smtpSink(): Promise<SmtpSink> {
  const messages: SinkMessage[] = [];
  const waiters: ((m: SinkMessage) => void)[] = [];
  let taken = 0;
  const server = new SMTPServer({
    disabledCommands: ["STARTTLS", "AUTH"],
    authOptional: true,
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (mail) => {
          const message: SinkMessage = {
            to: session.envelope.rcptTo.map((r) => r.address),
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
            mail,
            receivedAt: performance.now(),
          };
          messages.push(message);
          callback();
          const waiter = waiters.shift();
          if (waiter) {
            taken++;
            waiter(message);
          }
        },
        (err: Error) => callback(err),
      );
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.server.address() as { port: number }).port;
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    messages,
    next() {
      if (taken < messages.length) return Promise.resolve(messages[taken++]!);
      return new Promise((resolve) => waiters.push(resolve));
    },
    async [Symbol.asyncDispose]() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The 6-digit code of an OTP mail. */
export function codeOf(m: SinkMessage): string {
  const found = /\b(\d{6})\b/.exec(m.mail.text ?? "");
  if (!found) throw new Error(`no code in ${JSON.stringify(m.mail.text)}`);
  return found[1]!;
}
