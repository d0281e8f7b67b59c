/**
 * @module Which hosts ACME orders for (acme.ts): every host of a route or a redirect that a CA can
 * issue for by HTTP-01 and whose best certificate (exact name, or a one-level wildcard) is missing or
 * has a third of its lifetime left or less (contract §8). Pure functions of the table and the time.
 */
import { isIP } from "node:net";
import type { EdgeCertificate, EdgeTable } from "./model";

/** Hosts of the table a CA can issue for whose best certificate is missing or past two thirds of its life. */
export function dueHosts(table: EdgeTable, now: number): string[] {
  const certs = [...table.certs().values()];
  return [...table.hosts()].filter((host) => orderable(host) && renewalDue(bestCertificate(certs, host), now)).sort();
}

/** DNS names only: no IP literal, no single label (`localhost`), no wildcard (HTTP-01 cannot prove one). */
export function orderable(host: string): boolean {
  return host.includes(".") && !host.includes("*") && isIP(host.replace(/^\[|\]$/g, "")) === 0 && !host.endsWith(".");
}

/** Renewal when a third of the lifetime is left (contract §8); a missing certificate is due. */
export function renewalDue(cert: Pick<EdgeCertificate, "notBefore" | "notAfter"> | undefined, now: number): boolean {
  if (!cert) return true;
  return now >= cert.notAfter - (cert.notAfter - cert.notBefore) / 3;
}

/** The certificate covering `host` (exact name, or a one-level wildcard) that lasts longest. */
function bestCertificate(certs: readonly EdgeCertificate[], host: string): EdgeCertificate | undefined {
  const wildcard = `*.${host.slice(host.indexOf(".") + 1)}`;
  let best: EdgeCertificate | undefined;
  for (const cert of certs) {
    if (!cert.names.includes(host) && !cert.names.includes(wildcard)) continue;
    if (!best || cert.notAfter > best.notAfter) best = cert;
  }
  return best;
}
