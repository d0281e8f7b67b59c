/**
 * @module The health prober (contract §4): every interval, every instance is probed (TCP connect or
 * HTTP GET) with a timeout and bounded concurrency, so one slow instance holds one slot and delays no
 * other. Alive and fast → Healthy, alive but slower than the threshold → Degraded, failed →
 * Unreachable. A successful probe is a heartbeat.
 *
 * In a cluster (contract §7) a cycle probes only the instances this node owns (nodes.ts
 * {@link InstanceShare}: rendezvous over the live nodes), so each instance is probed about once per
 * interval cluster-wide, and a node that joins or leaves moves only its own share. The result, a
 * failure included, reaches the other nodes through the change feed. A registration through this
 * node is still probed here at once ({@link Prober.probeSoon}), whoever owns it.
 */
import type { Clock } from "../../lib/clock";
import type { Logger } from "../../lib/log";
import type { InstanceRecord, InstanceTable } from "./instance-table";
import type { InstanceShare } from "./nodes";
import { BackgroundJob } from "../../lib/background-job";
import { Limiter } from "../../lib/limiter";
import { RateLimiter } from "../../lib/rate-limit";
import { probeInstance, type ProbeFn, type ProbeTarget } from "./probe";
import type { ConnectVerdict } from "./routing";

/**
 * Immediate probes after registrations, per second. Beyond it (a registration storm) new instances
 * wait for the next cycle, at most one interval, instead of doubling the work of every registration.
 */
const SOON_PROBES_PER_SECOND = 200;
/**
 * The soon-probe budget counts in real time, not the injected clock: it paces this process's work,
 * and a test's frozen fake clock must not exhaust it for good.
 */
const MONOTONIC: Clock = { now: () => performance.now() };

/** What the prober works on, its timing (ms) and its concurrency. */
export interface ProberOptions {
  table: InstanceTable;
  clock: Clock;
  log: Logger;
  intervalMs: number;
  timeoutMs: number;
  degradedAfterMs: number;
  concurrency: number;
  /** Replaceable for tests; defaults to the real TCP/HTTP probe. */
  probe?: ProbeFn;
  /** The instances this node probes, asked once per cycle; absent: all of them (one node). */
  share?: () => InstanceShare;
  /** Told every probe's outcome (metrics). */
  onProbe?: (result: ProbeResult) => void;
  /**
   * The network policy's connect check (address-guard.ts): a refused instance is marked Unreachable
   * without a packet sent to it, so probe results never map denied networks; an allowed name is probed
   * at the address it checked (its pin), never at a new lookup of the name.
   */
  checkConnect?: (id: string) => ConnectVerdict | Promise<ConnectVerdict>;
  /**
   * A probe of a name's pinned address failed: move the name on to its next checked address and say
   * how many it has (address-guard.ts `rotateAddress`), so one cycle tries each of them once.
   */
  rotateAddress?: (id: string) => number;
}

/** A probe's outcome for the metrics; `refused`: the network policy stopped it before any packet. */
export type ProbeResult = "healthy" | "degraded" | "unreachable" | "refused";

/** Outcome counts of one cycle. */
export interface ProbeCycle {
  probed: number;
  healthy: number;
  degraded: number;
  unreachable: number;
  ms: number;
}

/** Probes every instance each interval (a background job), and new ones at once via {@link Prober.probeSoon}. */
export class Prober extends BackgroundJob {
  private readonly limiter: Limiter;
  private readonly probe: ProbeFn;
  private readonly inFlight = new Set<string>();
  private abort = new AbortController();
  /** In a cluster, this node's id as the last cycle's share named it: sent with HTTP probes (probe.ts). */
  private node: string | undefined;
  /** One fixed window of one second, one key: the immediate probes of all registrations. */
  private readonly soonProbes = new RateLimiter({ clock: MONOTONIC, limit: SOON_PROBES_PER_SECOND, windowMs: 1000, maxKeys: 1 });

  constructor(private readonly o: ProberOptions) {
    super({ name: "health probe", intervalMs: o.intervalMs, log: o.log, runAtStart: true });
    this.limiter = new Limiter(o.concurrency);
    this.probe = o.probe ?? probeInstance;
  }

  /** Probes everything now, then every interval. */
  override start(): void {
    if (this.job.started) return;
    this.abort = new AbortController();
    super.start();
  }

  /** Stops the cycles and abandons probes in flight (their results are dropped). */
  override async stop(): Promise<void> {
    this.abort.abort();
    await super.stop();
  }

  /** Probes one instance now (after a registration) if the prober is running and within the per-second budget. */
  probeSoon(id: string): void {
    const record = this.o.table.get(id);
    if (!this.job.started || !record) return;
    if (this.soonProbes.hit("soon") === 0) void this.probeOne(record);
  }

  /** One cycle over every instance this node owns; resolves when all probes have finished. */
  async runOnce(): Promise<ProbeCycle> {
    const started = performance.now();
    const cycle: ProbeCycle = { probed: 0, healthy: 0, degraded: 0, unreachable: 0, ms: 0 };
    const probes: Promise<void>[] = [];
    const share = this.o.share?.();
    this.node = share?.cluster ? share.node : undefined;
    const some = share !== undefined && !share.whole;
    for (const record of this.o.table.all()) {
      if (some && !share.owns(record.id)) continue;
      probes.push(
        this.probeOne(record).then((status) => {
          if (!status) return;
          cycle.probed++;
          if (status === "Healthy") cycle.healthy++;
          else if (status === "Degraded") cycle.degraded++;
          else cycle.unreachable++;
        }),
      );
    }
    await Promise.all(probes);
    cycle.ms = Math.round(performance.now() - started);
    if (this.o.log.enabled("debug")) this.o.log.debug("health probe cycle", { ...cycle });
    return cycle;
  }

  private async probeOne(record: InstanceRecord): Promise<"Healthy" | "Degraded" | "Unreachable" | undefined> {
    const { id, url } = record;
    if (this.inFlight.has(id)) return undefined;
    this.inFlight.add(id);
    const signal = this.abort.signal;
    const target: ProbeTarget = { scheme: record.scheme, host: record.host, port: record.port, healthCheckPath: record.healthCheckPath };
    if (this.node !== undefined) target.node = this.node;
    try {
      return await this.limiter.run(async () => {
        if (signal.aborted) return undefined;
        const verdict = await this.o.checkConnect?.(id);
        if (verdict !== undefined && verdict.kind !== "pinned") {
          if (signal.aborted || this.o.table.get(id)?.url !== url) return undefined;
          this.o.table.setHealth(id, "Unreachable");
          this.o.onProbe?.("refused");
          return "Unreachable";
        }
        if (verdict !== undefined) target.pin = verdict;
        const t0 = performance.now();
        let alive = await this.probe(target, this.o.timeoutMs, signal);
        // A name with several checked addresses (localhost: ::1 and 127.0.0.1) is alive when one of
        // them answers: try the others in turn; the one that answered is where connects go next.
        for (let tried = 1, count = 0; !alive && target.pin !== undefined && !signal.aborted; tried++) {
          count = this.o.rotateAddress?.(id) ?? 0;
          if (tried >= count) break;
          const next = await this.o.checkConnect?.(id);
          if (next === undefined || next.kind !== "pinned") break;
          target.pin = next;
          alive = await this.probe(target, this.o.timeoutMs, signal);
        }
        const elapsed = performance.now() - t0;
        // Drop results of abandoned probes, and of instances removed or re-pointed meanwhile.
        if (signal.aborted || this.o.table.get(id)?.url !== url) return undefined;
        const status = !alive ? "Unreachable" : elapsed > this.o.degradedAfterMs ? "Degraded" : "Healthy";
        this.o.table.setHealth(id, status, alive ? this.o.clock.now() : undefined);
        this.o.onProbe?.(status === "Healthy" ? "healthy" : status === "Degraded" ? "degraded" : "unreachable");
        return status;
      });
    } finally {
      this.inFlight.delete(id);
    }
  }
}
