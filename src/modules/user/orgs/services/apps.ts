/** @module Apps: list (filtered lists are public, as in 1Backend), read-or-create, rename. */
import type { Caller } from "../../../auth-gate";
import { permissionDenied } from "../../../../http/errors";
import { appNotFound, hostMissing, hostTaken } from "../../errors";
import type * as M from "../../../../contracts/user/models";
import type { PermitIndex } from "../../access/permit-index";
import { P } from "../../access/permissions";
import type { AppStore } from "../store/apps";
import { appView } from "../wire";

/** Default app host of 1Backend: where users without an `appHost` are created. */
export const DEFAULT_APP_HOST = "unnamed";

/** Apps (tenants): list, read-or-create, rename. */
export class AppService {
  constructor(private readonly d: { apps: AppStore; permits: PermitIndex }) {}

  /** With a filter anyone may list; an unfiltered list needs `user-svc:app:multi-view` (`caller` resolves lazily). */
  async list(filter: { ids?: string[]; host?: string[] }, caller: () => Promise<Caller>): Promise<M.App[]> {
    const filtered = (filter.ids?.length ?? 0) > 0 || (filter.host?.length ?? 0) > 0;
    if (!filtered && !this.d.permits.allows(await caller(), P.appMultiView)) throw permissionDenied(`permission ${P.appMultiView} is required to list every app`);
    return (await this.d.apps.list(filter.ids?.length ? filter.ids : undefined, filter.host?.length ? filter.host : undefined)).map(appView);
  }

  async read(host: string): Promise<M.App> {
    if (!host) throw hostMissing("host");
    return appView(await this.d.apps.getOrCreate(host));
  }

  async update(id: string, newHost: string): Promise<void> {
    if (!newHost) throw hostMissing("newHost");
    const taken = await this.d.apps.findByHost(newHost);
    if (taken && taken.id !== id) throw hostTaken(newHost);
    const outcome = await this.d.apps.updateHost(id, newHost);
    if (outcome === "missing") throw appNotFound(id);
    if (outcome === "taken") throw hostTaken(newHost);
  }
}
