/**
 * @module The Proxy Svc management operations (reference §D.1, contract §8): saves are upserts by id,
 * lists filter by `ids`, deletes of unknown ids are fine. Every input is checked in full before
 * anything is stored (a refused request changes nothing) and refused with 400 naming the field
 * (1Backend answers 500). Certificates are listed as metadata and their chain, never a private key.
 */
import { isoTime, type Clock } from "../../lib/clock";
import type { Static } from "@sinclair/typebox";
import type { Cert, Redirect, Route, RouteInput } from "../../contracts/proxy/edge";
import { describeCertificate, parseBundle, type CertificateBundle } from "./certificates";
import { duplicateId, invalidField, tooMany } from "./errors";
import { parseCertId, parseEdgeId, parseRedirectStatus, parseRedirectTarget, parseRouteTarget } from "./ids";
import type { CertificateRow, EdgeStore, RedirectRow, RouteRow } from "./store";

/** Items one save, delete or filter may name. */
export const MAX_ITEMS = 1000;

/** The management operations over the store. */
export class EdgeService {
  constructor(private readonly d: { store: EdgeStore; clock: Clock }) {}

  async saveRoutes(inputs: Static<typeof RouteInput>[] | undefined): Promise<Static<typeof Route>[]> {
    const rows: RouteRow[] = uniqueById("routes", required("routes", inputs, "route"), (input, i) => ({
      id: parseEdgeId(`routes.${i}.id`, input.id).id,
      target: parseRouteTarget(`routes.${i}.target`, input.target),
    }));
    await this.d.store.saveRoutes(rows);
    return rows;
  }

  async listRoutes(ids: string[] | undefined): Promise<Static<typeof Route>[]> {
    return await this.d.store.listRoutes(filterIds(ids, (id) => parseEdgeId("ids", id).id));
  }

  async deleteRoutes(ids: string[] | undefined): Promise<void> {
    await this.d.store.deleteRoutes(required("ids", ids, "route id").map((id, i) => parseEdgeId(`ids.${i}`, id).id));
  }

  async saveRedirects(inputs: Static<typeof Redirect>[] | undefined): Promise<Static<typeof Redirect>[]> {
    const rows: RedirectRow[] = uniqueById("redirects", required("redirects", inputs, "redirect"), (input, i) => ({
      id: parseEdgeId(`redirects.${i}.id`, input.id).id,
      target: parseRedirectTarget(`redirects.${i}.target`, input.target),
      statusCode: parseRedirectStatus(`redirects.${i}.statusCode`, input.statusCode),
    }));
    await this.d.store.saveRedirects(rows);
    return rows;
  }

  async listRedirects(ids: string[] | undefined): Promise<Static<typeof Redirect>[]> {
    return await this.d.store.listRedirects(filterIds(ids, (id) => parseEdgeId("ids", id).id));
  }

  async deleteRedirects(ids: string[] | undefined): Promise<void> {
    await this.d.store.deleteRedirects(required("ids", ids, "redirect id").map((id, i) => parseEdgeId(`ids.${i}`, id).id));
  }

  /** Validates every bundle (parses, key matches, not expired) and stores them, keys sealed. */
  async saveCerts(inputs: { id: string; cert: string }[] | undefined): Promise<void> {
    const now = this.d.clock.now();
    const bundles: { id: string; bundle: CertificateBundle }[] = uniqueById("certs", required("certs", inputs, "certificate"), (input, i) => ({
      id: parseCertId(`certs.${i}.id`, input.id),
      bundle: parseBundle(`certs.${i}.cert`, input.cert, now),
    }));
    await this.d.store.saveCertificates(bundles, "saved");
  }

  async listCerts(ids: string[] | undefined): Promise<Static<typeof Cert>[]> {
    return (await this.d.store.listCertificates(filterIds(ids, (id) => parseCertId("ids", id)))).map(certView);
  }
}

/** A certificate as listCerts shows it: the chain (no key) and what the leaf says. */
function certView(row: CertificateRow): Static<typeof Cert> {
  return { id: row.id, cert: row.certPem, createdAt: isoTime(row.createdAt), updatedAt: isoTime(row.updatedAt), ...describeCertificate(row.certPem) };
}

/** The items of a save or delete: at least one, at most {@link MAX_ITEMS} (1Backend: "no routes provided"). */
function required<T>(field: string, items: T[] | undefined, what: string): T[] {
  if (!items || items.length === 0) throw invalidField(field, `at least one ${what} is required`);
  if (items.length > MAX_ITEMS) throw tooMany(field, MAX_ITEMS);
  return items;
}

/** Each input parsed; two that normalise to one id are refused (which would win is not obvious). */
function uniqueById<I, R extends { id: string }>(field: string, inputs: I[], parse: (input: I, i: number) => R): R[] {
  const seen = new Set<string>();
  return inputs.map((input, i) => {
    const row = parse(input, i);
    if (seen.has(row.id)) throw duplicateId(`${field}.${i}.id`, row.id);
    seen.add(row.id);
    return row;
  });
}

/** The `ids` filter normalised as ids are stored; an id that cannot be stored matches nothing. */
function filterIds(ids: string[] | undefined, normalise: (id: string) => string): string[] | undefined {
  if (ids === undefined || ids.length === 0) return undefined;
  if (ids.length > MAX_ITEMS) throw tooMany("ids", MAX_ITEMS);
  return ids.flatMap((id) => {
    try {
      return [normalise(id)];
    } catch {
      return [];
    }
  });
}
