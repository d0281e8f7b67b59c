/**
 * @module Registry events in the log at info (issue 10): an instance registered or changed, removed
 * (through the API or expired), a status change with the old and the new status. One line per event,
 * from the publisher the proxy's routing already listens to, so nothing is logged twice or missed.
 */
import type { Logger } from "../../lib/log";
import type { RegistryEvent } from "./routing";

/** The subscriber that writes one info line per registry event (nothing when info is off). */
export function registryEventLogger(log: Logger): (event: RegistryEvent) => void {
  return (event) => {
    if (!log.enabled("info")) return;
    const { id, slug, url, status } = event.instance;
    if (event.type === "registered") log.info("instance registered", { instance: id, slug, url, status });
    else if (event.type === "removed") log.info(event.reason === "expired" ? "instance expired and removed" : "instance removed", { instance: id, slug, url });
    else log.info(`instance status ${event.previous} → ${status}`, { instance: id, slug, url, from: event.previous, to: status });
  };
}
