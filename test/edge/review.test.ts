/**
 * Findings of the edge's security and correctness review (issue 13), each a test that failed before
 * its fix; real sockets on the test-mode plain listener, the table filled directly.
 */
import { describe, expect, test } from "bun:test";
import { connect } from "node:net";
import { parseEdgeId } from "../../src/modules/edge/ids";
import { echoUpstream } from "../proxy/helpers";
import { edgeHarness, redirects, routes } from "./helpers";

function get(base: string, path: string, host: string): Promise<Response> {
  return fetch(base + path, { headers: { host }, redirect: "manual" });
}

/** One raw HTTP/1.1 GET of `target` (fetch itself turns `http://h//a` into `http://h/a`): the response body. */
function rawGet(port: number, target: string, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(`GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`));
    let data = "";
    socket.on("data", (chunk) => (data += chunk));
    socket.on("end", () => resolve(data.slice(data.indexOf("\r\n\r\n") + 4)));
    socket.on("error", reject);
  });
}

describe("edge review", () => {
  // A saved redirect target is any absolute URL (ids.ts), Unicode included. A `Location` field is
  // bytes: a character above U+00FF made Bun throw for every matching request (a bare 500), and one
  // in U+0080-U+00FF went out as a lone Latin-1 byte, not the URL the admin meant.
  test("a redirect target with non-ASCII characters is sent as its ASCII URL (punycode host, UTF-8 percent-encoding)", async () => {
    await using edge = await edgeHarness({ testMode: true });
    edge.table.setRedirects(
      redirects({
        "euro.test": { target: "https://t.test/€uro?q=ü#frag" },
        "latin.test": { target: "https://t.test/é" },
        "idn.test": { target: "https://bücher.test/x" },
      }),
    );
    const location = async (host: string, path: string) => {
      const r = await get(edge.httpUrl, path, host);
      return [r.status, r.headers.get("location")];
    };
    expect(await location("euro.test", "/a?z=1")).toEqual([308, "https://t.test/%E2%82%ACuro/a?q=%C3%BC&z=1#frag"]);
    expect(await location("latin.test", "/")).toEqual([308, "https://t.test/%C3%A9/"]);
    expect(await location("idn.test", "/a")).toEqual([308, "https://xn--bcher-kva.test/x/a"]);
  });

  // Bun hands the path over with its escapes as sent (only dot segments resolved), and the index
  // compared it raw: `/%61dmin` or `//admin` missed a route (or a redirect used to fence a path off)
  // on x.test/admin and reached the bare host's upstream, which decodes or merges them into /admin.
  test("a path matches whatever spelling of its escapes and slashes the client sends; the upstream gets it as sent", async () => {
    await using app = echoUpstream("app");
    await using admin = echoUpstream("admin");
    await using edge = await edgeHarness({ testMode: true });
    edge.table.setRoutes(routes({ "x.test": app.url, "x.test/admin": admin.url, "x.test/caf%c3%a9": admin.url }));
    edge.table.setRedirects(redirects({ "x.test/old": { target: "https://new.test" } }));
    const seen = async (path: string) => {
      const body = (await (await get(edge.httpUrl, path, "x.test")).json()) as { name: string; path: string };
      return [body.name, body.path];
    };
    expect(await seen("/%61dmin/x")).toEqual(["admin", "/%61dmin/x"]);
    expect(await seen("/%61%64%6D%69%6E")).toEqual(["admin", "/%61%64%6D%69%6E"]);
    // Bun's fetch (the client's here, and the engine's upstream) sends `http://h//admin` as /admin:
    // before, `//admin` reached the bare host's upstream as /admin whatever that upstream does.
    const raw = JSON.parse(await rawGet(edge.listeners.httpPort, "//admin", "x.test")) as { name: string };
    expect(raw.name).toBe("admin");
    expect(await seen("/x//admin")).toEqual(["app", "/x//admin"]);
    expect(await seen("/caf%C3%A9")).toEqual(["admin", "/caf%C3%A9"]);
    expect(await seen("/caf%c3%a9/1")).toEqual(["admin", "/caf%c3%a9/1"]);
    // Still compared case-sensitively, and an encoded slash is still no segment boundary.
    expect(await seen("/ADMIN")).toEqual(["app", "/ADMIN"]);
    expect(await seen("/admin%2Fx")).toEqual(["app", "/admin%2Fx"]);
    const old = await get(edge.httpUrl, "/%6Fld/p?q=1", "x.test");
    expect([old.status, old.headers.get("location")]).toEqual([308, "https://new.test/p?q=1"]);
  });
});

describe("edge review: ids", () => {
  // ids.ts normalises an id "so two spellings of one key cannot be two rows"; escapes were kept as
  // typed, so x.test/%61pp and x.test/app were two rows that match the same requests (which one wins
  // would depend on the table's order), and a lower-case escape listed differently from what matches.
  test("an id's path is stored in the spelling it is matched in", () => {
    expect(parseEdgeId("id", "X.test/%61pp/caf%c3%a9/a%2fb/%7E").id).toBe("x.test/app/caf%C3%A9/a%2Fb/~");
    expect(parseEdgeId("id", "x.test/app").id).toBe(parseEdgeId("id", "x.test/%61%70%70/").id);
    expect(() => parseEdgeId("id", "x.test/%2E%2e")).toThrow("must not contain . or .. segments");
  });
});
