/** @module The Roles & permits screen (placeholder until E3 builds it). */
import { Coming } from "../../ui/coming";

/** Roles & permits. */
export function RolesScreen() {
  return <Coming title="Roles & permits" />;
}
