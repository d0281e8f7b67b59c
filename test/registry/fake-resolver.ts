/**
 * @module A resolver for registry tests: answers set by the test (and changeable, for names that move
 * into a denied network), no DNS traffic at all. Unknown names do not resolve. Lookups can fail with a
 * resolver error ({@link ScriptedResolver.fail}) or be held until released ({@link ScriptedResolver.hold}:
 * a slow resolver, or a stalled one when never released).
 */
import type { ResolveFn } from "../../src/modules/registry/resolve";

export class ScriptedResolver {
  private readonly answers = new Map<string, string[] | Error>();
  private held: { released: Promise<void>; release: () => void } | undefined;
  /** Every name asked, in order. */
  readonly asked: string[] = [];
  /** Lookups waiting in {@link hold} now. */
  waiting = 0;

  constructor(answers: Record<string, string[]> = { localhost: ["127.0.0.1"] }) {
    for (const [host, addresses] of Object.entries(answers)) this.set(host, addresses);
  }

  /** From now on `host` resolves to `addresses`. */
  set(host: string, addresses: string[]): this {
    this.answers.set(host.toLowerCase(), addresses);
    return this;
  }

  /** From now on lookups of `host` fail as a resolver error would (a server failure, not "no such name"). */
  fail(host: string, code = "EAI_AGAIN"): this {
    this.answers.set(host.toLowerCase(), Object.assign(new Error(`getaddrinfo ${code} ${host}`), { code }));
    return this;
  }

  /**
   * From now on lookups wait until the returned function (or {@link release}) is called; then they
   * answer what is set at that moment. Never released: a stalled resolver.
   */
  hold(): () => void {
    if (this.held === undefined) {
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      this.held = { released, release };
    }
    return () => this.release();
  }

  /** Lets held lookups answer, and later ones answer at once. */
  release(): void {
    const held = this.held;
    this.held = undefined;
    held?.release();
  }

  /** `using`: held lookups are released at the end of the test. */
  [Symbol.dispose](): void {
    this.release();
  }

  readonly resolve: ResolveFn = async (host) => {
    this.asked.push(host);
    if (this.held !== undefined) {
      this.waiting++;
      await this.held.released.finally(() => this.waiting--);
    }
    const answer = this.answers.get(host.toLowerCase());
    if (answer === undefined) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" });
    if (answer instanceof Error) throw answer;
    return answer;
  };
}
