/**
 * @module Prints the one summary line of a test run from bun's JUnit reports (bun's own summary is not
 * one CI reads): "N passed, N failed, N skipped". Each argument is `label=report.xml` (one per pass of
 * scripts/test.sh, labelled by dialect) or a bare path. With several passes the line goes on with each
 * pass's numbers and names what failed where: "…; postgres: 2 failed (test/a.test.ts > x, …)". A
 * missing or empty report counts as one failure of its pass (bun crashed before writing it).
 */

interface Pass {
  label: string;
  passed: number;
  failed: number;
  skipped: number;
  /** `file > describe > name` of each failed test. */
  failures: string[];
}

/** Failures named per pass on the line; the rest are counted ("+N more"). */
const NAMED_FAILURES = 10;

const decode = (s: string) =>
  s.replace(/&(lt|gt|quot|apos|amp|#(\d+));/g, (_, name: string, code?: string) =>
    code ? String.fromCharCode(Number(code)) : ({ lt: "<", gt: ">", quot: '"', apos: "'", amp: "&" } as Record<string, string>)[name]!);

const attribute = (attrs: string, name: string) => decode(attrs.match(new RegExp(`\\b${name}="([^"]*)"`))?.[1] ?? "");

/** Reads one report: the totals of `<testsuites>`, and each `<testcase>` holding a failure or error. */
async function readPass(label: string, file: string): Promise<Pass> {
  const xml = await Bun.file(file).text().catch(() => "");
  const root = xml.match(/<testsuites\b([^>]*)>/)?.[1];
  if (root === undefined) return { label, passed: 0, failed: 1, skipped: 0, failures: [`no test report (${file})`] };
  const total = Number(attribute(root, "tests")) || 0;
  const failed = (Number(attribute(root, "failures")) || 0) + (Number(attribute(root, "errors")) || 0);
  const skipped = Number(attribute(root, "skipped")) || 0;
  const failures: string[] = [];
  for (const m of xml.matchAll(/<testcase\b([^>]*?)(?:\/>|>([\s\S]*?)<\/testcase>)/g)) {
    if (!/<(failure|error)\b/.test(m[2] ?? "")) continue;
    const attrs = m[1]!;
    failures.push([attribute(attrs, "file"), attribute(attrs, "classname"), attribute(attrs, "name")].filter(Boolean).join(" > "));
  }
  return { label, passed: total - failed - skipped, failed, skipped, failures };
}

const counts = (p: Omit<Pass, "label" | "failures">) => `${p.passed} passed, ${p.failed} failed, ${p.skipped} skipped`;

function describePass(p: Pass): string {
  if (p.failed === 0) return `${p.label}: ${counts(p)}`;
  const named = p.failures.slice(0, NAMED_FAILURES);
  const more = p.failed - named.length;
  const list = [...named, ...(more > 0 ? [`+${more} more`] : [])].join(", ");
  return `${p.label}: ${counts(p)} (failed: ${list})`;
}

const passes = await Promise.all(
  process.argv.slice(2).map((arg) => {
    const at = arg.indexOf("=");
    return at > 0 ? readPass(arg.slice(0, at), arg.slice(at + 1)) : readPass(arg, arg);
  }),
);
const sum = (key: "passed" | "failed" | "skipped") => passes.reduce((n, p) => n + p[key], 0);
const line = counts({ passed: sum("passed"), failed: sum("failed"), skipped: sum("skipped") });
console.log(passes.length > 1 ? `${line} — ${passes.map(describePass).join("; ")}` : line);
