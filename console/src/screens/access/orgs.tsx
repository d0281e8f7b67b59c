/** @module The Organizations screen (placeholder until E3 builds it). */
import { Coming } from "../../ui/coming";

/** Organizations. */
export function OrgsScreen() {
  return <Coming title="Organizations" />;
}
