/** @module The live instance list's one rule: how a change from the event stream applies to it. */
import type { InstanceEventFrame as InstanceEvent } from "../../src/contracts/registry/events";
import type { Instance } from "../../src/contracts/registry/instances";

/**
 * Applies one change to the instances by id, as a new Map (so Preact sees it). Fields an event leaves
 * out (a `status` event may omit `lastHeartbeat`) keep their last known value.
 */
export function applyChange(instances: ReadonlyMap<string, Instance>, event: InstanceEvent): Map<string, Instance> {
  const next = new Map(instances);
  if (event.type === "removed") next.delete(event.instance.id);
  else next.set(event.instance.id, { ...next.get(event.instance.id), ...event.instance });
  return next;
}
