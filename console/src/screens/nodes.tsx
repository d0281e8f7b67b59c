/** @module The Nodes screen (being built). */
import { Coming } from "../ui/coming";

/** Nodes. */
export function NodesScreen() {
  return <Coming title="Nodes" />;
}
