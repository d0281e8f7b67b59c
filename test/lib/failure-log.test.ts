/**
 * Repeated failures as a few lines (src/lib/failure-log.ts): a database outage seen by a job every
 * interval logs its first failure at warn, then one line a minute with the count, and one line when it
 * recovers; and an interval job (the node heartbeat's kind) logs its failing runs through it.
 */
import { expect, test } from "bun:test";
import { FailureLog } from "../../src/lib/failure-log";
import { IntervalJob } from "../../src/lib/interval-job";
import { createLogger, type LogFields } from "../../src/lib/log";
import { FakeClock } from "../helpers/fake-clock";
import { waitFor } from "../helpers/wait";

function captured() {
  const lines: LogFields[] = [];
  return { lines, log: createLogger("debug", (line) => lines.push(JSON.parse(line) as LogFields)) };
}

test("an outage of five minutes at one failure a second: the first failure, one line a minute, the recovery", () => {
  const clock = new FakeClock(0);
  const { lines, log } = captured();
  const failures = new FailureLog({ log, clock, failed: "node heartbeat failed", recovered: "node heartbeat: database reachable again" });
  failures.succeeded(); // no streak: nothing to say
  for (let second = 0; second < 300; second++) {
    failures.failed(new Error("connection refused"));
    clock.advance(1_000);
  }
  expect(failures.failing).toBe(true);
  failures.succeeded();
  failures.succeeded();
  expect(lines.map((l) => [l.level, l.msg, l.failures, l.failingForMs ?? l.failedForMs])).toEqual([
    ["warn", "node heartbeat failed", undefined, undefined],
    ["warn", "node heartbeat failed", 61, 60_000],
    ["warn", "node heartbeat failed", 121, 120_000],
    ["warn", "node heartbeat failed", 181, 180_000],
    ["warn", "node heartbeat failed", 241, 240_000],
    ["info", "node heartbeat: database reachable again", 300, 300_000],
  ]);
  expect(lines[0]!.error).toBe("Error: connection refused");
  expect(failures.failing).toBe(false);
  // The next outage starts a streak of its own, logged at once.
  failures.failed(new Error("timeout"), { node: "node-a" });
  expect(lines.slice(6)).toEqual([expect.objectContaining({ level: "warn", msg: "node heartbeat failed", node: "node-a", error: "Error: timeout" })]);
  expect(lines[6]!.failures).toBeUndefined();
});

test("an interval job's failing runs are one streak: logged at warn once, and its recovery", async () => {
  const { lines, log } = captured();
  let runs = 0;
  let fail = true;
  const run = () => {
    runs++;
    if (fail) throw new Error("connection refused");
  };
  const job = new IntervalJob({ name: "node heartbeat", intervalMs: 1, log, recovered: "node heartbeat: database reachable again", run });
  job.start();
  await waitFor("ten failed runs", () => runs >= 10);
  expect(lines.map((l) => [l.level, l.msg, l.error])).toEqual([["warn", "node heartbeat failed", "Error: connection refused"]]);
  fail = false;
  await waitFor("the recovery line", () => lines.length === 2);
  await job.stop();
  expect(lines[1]).toMatchObject({ level: "info", msg: "node heartbeat: database reachable again" });
  expect(lines[1]!.failures as number).toBeGreaterThanOrEqual(10);
});
