/** @module Apps: list (filtered lists are public, as in 1Backend), read-or-create, rename. */
import type { Caller } from "../../../auth-gate";
import { badRequest, conflict, forbidden, notFound } from "../../../../http/errors";
import type * as M from "../../../../contracts/user/models";
import type { PermitIndex } from "../../access/permit-index";
import { P } from "../../access/permissions";
import type { AppStore } from "../store/apps";
import { appView } from "../wire";
import { isUniqueViolation } from "../../rules";

/** Apps (tenants): list, read-or-create, rename. */
export class AppService {
  constructor(
    private readonly apps: AppStore,
    private readonly permits: PermitIndex,
  ) {}

  /** With a filter anyone may list; an unfiltered list needs `user-svc:app:multi-view` (`caller` resolves lazily). */
  async list(filter: { ids?: string[]; host?: string[] }, caller: () => Promise<Caller>): Promise<M.App[]> {
    const filtered = (filter.ids?.length ?? 0) > 0 || (filter.host?.length ?? 0) > 0;
    if (!filtered && !this.permits.allows(await caller(), P.appMultiView)) {
      throw forbidden("user.permission_denied", `permission ${P.appMultiView} is required to list every app`);
    }
    return this.apps.list(filter.ids?.length ? filter.ids : undefined, filter.host?.length ? filter.host : undefined).map(appView);
  }

  read(host: string): M.App {
    if (!host) throw badRequest("user.host_missing", "host is required");
    return appView(this.apps.getOrCreate(host));
  }

  update(id: string, newHost: string): void {
    if (!newHost) throw badRequest("user.host_missing", "newHost is required");
    const taken = this.apps.findByHost(newHost);
    if (taken && taken.id !== id) throw conflict("user.host_taken", `host ${newHost} belongs to another app`);
    try {
      if (!this.apps.updateHost(id, newHost)) throw notFound("user.app_not_found", `app ${id} not found`);
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict("user.host_taken", `host ${newHost} belongs to another app`);
      throw err;
    }
  }
}
