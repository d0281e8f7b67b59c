/** A background job's shape (src/lib/background-job.ts over src/lib/interval-job.ts), without waiting on its interval. */
import { expect, test } from "bun:test";
import { BackgroundJob } from "../../src/lib/background-job";
import { createLogger, silentLogger, type Logger } from "../../src/lib/log";

/** Counts its runs; a run can be held open to see that `stop()` waits for it. */
class CountingJob extends BackgroundJob {
  runs = 0;
  hold: PromiseWithResolvers<void> | undefined;

  constructor(runAtStart: boolean, log: Logger = silentLogger, private readonly fail = false) {
    super({ name: "counting job", intervalMs: 3_600_000, log, runAtStart });
  }

  async runOnce(): Promise<void> {
    this.runs++;
    if (this.fail) throw new Error("boom");
    await this.hold?.promise;
  }
}

test("runAtStart runs at once on start(); otherwise the first run is one interval away", async () => {
  const now = new CountingJob(true);
  const later = new CountingJob(false);
  now.start();
  later.start();
  expect([now.runs, later.runs]).toEqual([1, 0]);
  expect(later.job.status()).toMatchObject({ name: "counting job", started: true, intervalMs: 3_600_000, lastRunAt: undefined });
  await now.stop();
  await later.stop();
  expect(later.job.status().started).toBe(false);
});

test("start() twice starts once, and stop() waits for the run in flight", async () => {
  const job = new CountingJob(true);
  job.hold = Promise.withResolvers<void>();
  job.start();
  job.start();
  expect(job.runs).toBe(1);
  let stopped = false;
  const stopping = job.stop().then(() => (stopped = true));
  await Promise.resolve();
  expect(stopped).toBe(false);
  job.hold.resolve();
  await stopping;
  expect(stopped).toBe(true);
});

test("a failing run is logged under the job's name and does not escape", async () => {
  const lines: string[] = [];
  const job = new CountingJob(true, createLogger("warn", (line) => lines.push(line)), true);
  job.start();
  await job.stop(); // waits for the failed run, which has logged by then
  expect(job.runs).toBe(1);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain("counting job failed");
});
