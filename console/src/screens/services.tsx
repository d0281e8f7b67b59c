/** @module The Services screen (being built). */
import { Coming } from "../ui/coming";

/** Services. */
export function ServicesScreen() {
  return <Coming title="Services" />;
}
