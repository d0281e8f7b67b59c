/**
 * The bootstrap admin on the run's dialect (TEST_DB): its user row and its admin role are one batch,
 * so a node finishing its start-up while another creates the admin sees no admin (and creates it
 * itself, losing on the unique slug) or the admin with its role, and never mints an admin token
 * without the role (issue 12: nodes starting at once on one database). The second node is started at
 * the worst moment: right after the first node's first commit that holds the admin.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import type { OpenedDatabase } from "../../src/db/client";
import type { Database } from "../../src/db/database";
import { openConfiguredDatabase } from "../../src/db/open";
import { systemClock } from "../../src/lib/clock";
import { silentLogger } from "../../src/lib/log";
import type { BaseDeps } from "../../src/modules/module";
import { ROLE_ADMIN } from "../../src/modules/user/access/permissions";
import { ADMIN_SLUG, createUserModule, type UserModule } from "../../src/modules/user";
import { testConfig } from "../helpers/config";
import { tempDir, type TempDir } from "../helpers/temp-dir";

const PASSWORD = "admin-pass-123";
let dir: TempDir;
let opened: OpenedDatabase;

beforeAll(async () => {
  dir = tempDir();
  opened = await openConfiguredDatabase(testConfig(dir.path), silentLogger);
  await opened.migrate();
}, 30_000);

afterAll(async () => {
  await opened?.close();
  await dir?.[Symbol.asyncDispose]();
});

const depsOn = (database: Database): BaseDeps => ({
  config: testConfig(dir.path, { OB_ADMIN_PASSWORD: PASSWORD }),
  database,
  db: database.db,
  clock: systemClock,
  log: silentLogger,
  fastCrypto: true,
});

/** `database` whose every batch, once committed, runs `after` before the caller goes on. */
function afterEachBatch(database: Database, after: () => Promise<void>): Database {
  const batch: Database["batch"] = async (build) => {
    await database.batch(build);
    await after();
  };
  return new Proxy(database, {
    get: (target, key) => {
      if (key === "batch") return batch;
      const value = Reflect.get(target, key, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** The roles in a token node `user` mints for the admin's login. */
async function adminTokenRoles(user: UserModule): Promise<string[]> {
  const token = await user.services!.accounts.login({ slug: ADMIN_SLUG, password: PASSWORD, appHost: "unnamed" }, "127.0.0.1");
  return (await user.gate.authenticate(`Bearer ${token.token}`)).roles;
}

test("a node starting while another creates the admin sees it with its role: its admin token holds the role", async () => {
  const { database } = opened;
  const users = database.tables.userUsers;
  let second: { module: UserModule; roles: string[] } | undefined;
  const first = await createUserModule(
    depsOn(
      afterEachBatch(database, async () => {
        if (second || (await database.db.select().from(users).where(eq(users.slug, ADMIN_SLUG))).length === 0) return;
        // The first commit that holds the admin: another node finishes its start-up now.
        const module = await createUserModule(depsOn(database));
        second = { module, roles: await adminTokenRoles(module) };
      }),
    ),
  );
  expect(second).toBeDefined();
  expect(second!.roles).toContain(ROLE_ADMIN);
  expect(await adminTokenRoles(first)).toContain(ROLE_ADMIN);
  const admins = await database.db.select().from(users).where(eq(users.slug, ADMIN_SLUG));
  expect(admins).toHaveLength(1);
  const enrolls = database.tables.userEnrolls;
  expect(await database.db.select().from(enrolls).where(eq(enrolls.userId, admins[0]!.id))).toEqual([expect.objectContaining({ appId: "*", role: ROLE_ADMIN })]);
  for (const m of [first, second!.module]) await m.stop?.();
}, 30_000);
