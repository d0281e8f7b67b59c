/**
 * @module A resolver for registry tests: answers set by the test (and changeable, for names that move
 * into a denied network), no DNS traffic at all. Unknown names do not resolve.
 */
import type { ResolveFn } from "../../src/modules/registry/resolve";

export class ScriptedResolver {
  private readonly answers = new Map<string, string[]>();
  /** Every name asked, in order. */
  readonly asked: string[] = [];

  constructor(answers: Record<string, string[]> = { localhost: ["127.0.0.1"] }) {
    for (const [host, addresses] of Object.entries(answers)) this.set(host, addresses);
  }

  /** From now on `host` resolves to `addresses`. */
  set(host: string, addresses: string[]): this {
    this.answers.set(host.toLowerCase(), addresses);
    return this;
  }

  readonly resolve: ResolveFn = async (host) => {
    this.asked.push(host);
    const addresses = this.answers.get(host.toLowerCase());
    if (addresses === undefined) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" });
    return addresses;
  };
}
