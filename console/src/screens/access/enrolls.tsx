/** @module The Enrolls screen (placeholder until E3 builds it). */
import { Coming } from "../../ui/coming";

/** Enrolls. */
export function EnrollsScreen() {
  return <Coming title="Enrolls" />;
}
