/** @module The Edge screen (placeholder until E3 builds it). */
import { Coming } from "../ui/coming";

/** Edge. */
export function EdgeScreen() {
  return <Coming title="Edge" />;
}
