/** The in-memory permit index: lookups by slug and role per app, kept in step by upserts. */
import { expect, test } from "bun:test";
import { PermitIndex } from "../../src/modules/user/access/permit-index";
import type { PermitRow } from "../../src/modules/user/access/wire";

const permit = (id: string, permission: string, grant: Partial<PermitRow> = {}): PermitRow => ({ id, appId: "*", permission, slugs: [], roles: [], createdAt: 0, updatedAt: 0, ...grant });
const alice = { appId: "app-1", slug: "alice", roles: ["user-svc:user"] };

test("a permit grants its permission to its slugs and roles, in its app or every app", () => {
  const index = new PermitIndex();
  index.load([permit("p1", "a:read", { slugs: ["alice"] }), permit("p2", "a:write", { appId: "app-2", roles: ["user-svc:user"] })]);
  expect(index.allows(alice, "a:read")).toBe(true);
  expect(index.allows(alice, "a:write")).toBe(false);
  expect(index.allows({ ...alice, appId: "app-2" }, "a:write")).toBe(true);
  expect(index.permissionsOfRoles(["user-svc:user"])).toEqual(["a:write"]);
});

test("an upsert replaces the permit with its id, even when its permission changed", () => {
  const index = new PermitIndex();
  index.load([permit("p1", "a:read", { slugs: ["alice"] })]);
  index.upsert([permit("p1", "a:read", { slugs: ["bob"] })]);
  expect(index.allows(alice, "a:read")).toBe(false);
  index.upsert([permit("p1", "a:other", { slugs: ["alice"] }), permit("p3", "a:read", { roles: ["user-svc:user"] })]);
  expect(index.allows(alice, "a:other")).toBe(true);
  expect(index.allows({ ...alice, roles: [] }, "a:read")).toBe(false);
  expect(index.allows(alice, "a:read")).toBe(true);
});

test("applyStored makes the index hold the read rows of those ids: found upserted, missing dropped, twice the same", () => {
  const index = new PermitIndex();
  index.load([permit("p1", "a:read", { slugs: ["alice"] }), permit("p2", "a:write", { slugs: ["alice"] }), permit("p3", "a:other", { slugs: ["alice"] })]);
  const read = [permit("p1", "a:read", { slugs: ["bob"] }), permit("p4", "a:new", { slugs: ["alice"] })];
  for (let i = 0; i < 2; i++) {
    index.applyStored(["p1", "p2", "p4"], read);
    expect(index.allows(alice, "a:read")).toBe(false);
    expect(index.allows({ ...alice, slug: "bob" }, "a:read")).toBe(true);
    expect(index.allows(alice, "a:write")).toBe(false);
    expect(index.allows(alice, "a:other")).toBe(true); // not among the ids: untouched
    expect(index.allows(alice, "a:new")).toBe(true);
    expect(index.ids().sort()).toEqual(["p1", "p3", "p4"]);
  }
});
