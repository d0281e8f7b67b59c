/** @module The Traffic screen (placeholder until E3 builds it). */
import { Coming } from "../ui/coming";

/** Traffic. */
export function TrafficScreen() {
  return <Coming title="Traffic" />;
}
