/** @module Resource usage of this machine for the node record: CPU since the last reading, memory, disk of `/`. */
import { statfsSync } from "node:fs";
import { cpus, freemem, totalmem } from "node:os";
import type { ResourceUsage } from "../../contracts/registry/nodes";

interface CpuTimes {
  busy: number;
  total: number;
}

/** Reads usage; CPU percent is measured between consecutive calls of the same reader. */
export function createUsageReader(): () => ResourceUsage {
  let last = readCpu();
  return () => {
    const now = readCpu();
    const total = now.total - last.total;
    const cpuPercent = total > 0 ? round((100 * (now.busy - last.busy)) / total) : 0;
    last = now;
    const memTotal = totalmem();
    const memUsed = memTotal - freemem();
    const disk = readDisk();
    return {
      cpu: { used: cpuPercent, total: 100, percent: cpuPercent },
      memory: { used: memUsed, total: memTotal, percent: percentOf(memUsed, memTotal) },
      disk: { used: disk.used, total: disk.total, percent: percentOf(disk.used, disk.total) },
    };
  };
}

function readCpu(): CpuTimes {
  let busy = 0;
  let total = 0;
  for (const cpu of cpus()) {
    const { user, nice, sys, irq, idle } = cpu.times;
    busy += user + nice + sys + irq;
    total += user + nice + sys + irq + idle;
  }
  return { busy, total };
}

function readDisk(): { used: number; total: number } {
  try {
    const s = statfsSync("/");
    return { total: s.blocks * s.bsize, used: (s.blocks - s.bfree) * s.bsize };
  } catch {
    return { total: 0, used: 0 };
  }
}

function percentOf(used: number, total: number): number {
  return total > 0 ? round((100 * used) / total) : 0;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
