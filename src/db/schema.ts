/** @module Every table of every module, built for one dialect and `OB_DB_PREFIX` (the column kit carries both). */
import { columnKit } from "./columns";
import type { DialectKind } from "./database";
import { defineIdentityTables } from "../modules/user/identity/tables";
import { defineAccessTables } from "../modules/user/access/tables";
import { defineOrgsTables } from "../modules/user/orgs/tables";
import { defineRegistryTables } from "../modules/registry/tables";
import { defineObservabilityTables } from "../modules/observability/tables";
import { defineClusterTables } from "../modules/cluster/tables";
import { defineEdgeTables } from "../modules/edge/tables";
import { defineOidcTables } from "../modules/user/identity/oidc/tables";
import { defineTotpTables } from "../modules/user/identity/totp/tables";
import { defineOtpTables } from "../modules/user/identity/otp/tables";

/** All tables, by their drizzle names (`userUsers`, `registryInstances`, …). */
export function defineTables(dialect: DialectKind, prefix = "") {
  const kit = columnKit(dialect, prefix);
  const identity = defineIdentityTables(kit);
  return {
    ...identity,
    ...defineAccessTables(kit, identity),
    ...defineOrgsTables(kit, identity),
    ...defineRegistryTables(kit),
    ...defineObservabilityTables(kit),
    ...defineClusterTables(kit),
    ...defineEdgeTables(kit),
    ...defineOidcTables(kit),
    ...defineTotpTables(kit, identity),
    ...defineOtpTables(kit),
  };
}
