/**
 * Findings of the edge's security and correctness review (issue 13), each a test that failed before
 * its fix; real sockets on the test-mode plain listener, the table filled directly.
 */
import { describe, expect, test } from "bun:test";
import { edgeHarness, redirects } from "./helpers";

function get(base: string, path: string, host: string): Promise<Response> {
  return fetch(base + path, { headers: { host }, redirect: "manual" });
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
});
