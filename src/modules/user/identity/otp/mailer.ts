/**
 * @module How a one-time code reaches its contact: over SMTP with nodemailer (`OB_SMTP_URL`,
 * `OB_SMTP_FROM`; STARTTLS whenever the server offers it, `smtps://` for TLS from the start), or, for
 * local development only, into the log (`OB_DEV_MAIL=log`). Without either there is no mailer and
 * sendOtp answers 501 naming what to set.
 */
import { createTransport, type Transporter } from "nodemailer";
import type { Logger } from "../../../../lib/log";

/** One plain-text message to one address. */
export interface OtpMessage {
  to: string;
  subject: string;
  text: string;
}

export interface OtpMailer {
  send(message: OtpMessage): Promise<void>;
}

/** The mailer the configuration asks for, or undefined when mail is not configured. */
export function createOtpMailer(o: { smtpUrl: string; smtpFrom: string; devMail: string; log: Logger }): OtpMailer | undefined {
  if (o.smtpUrl) return new SmtpMailer(o.smtpUrl, o.smtpFrom);
  if (o.devMail === "log") return new LogMailer(o.log);
  return undefined;
}

/** nodemailer, a connection per message (codes are few; nothing stays open); sent once the server accepted it (250 after DATA). */
export class SmtpMailer implements OtpMailer {
  private readonly transport: Transporter;

  constructor(url: string, private readonly from: string) {
    // A plain smtp:// connection upgrades with STARTTLS when offered (nodemailer's default for secure: false).
    this.transport = createTransport({ url, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 } as never);
  }

  async send(m: OtpMessage): Promise<void> {
    await this.transport.sendMail({ from: this.from, to: m.to, subject: m.subject, text: m.text });
  }
}

/** OB_DEV_MAIL=log: the message goes to the log (never use it where others read the log). */
export class LogMailer implements OtpMailer {
  constructor(private readonly log: Logger) {}

  async send(m: OtpMessage): Promise<void> {
    this.log.warn("OB_DEV_MAIL=log: e-mail written to the log instead of being sent", { to: m.to, subject: m.subject, text: m.text });
  }
}
