/** @module The Users screen (placeholder until E3 builds it). */
import { Coming } from "../../ui/coming";

/** Users. */
export function UsersScreen() {
  return <Coming title="Users" />;
}
