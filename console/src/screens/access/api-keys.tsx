/** @module The API keys screen (placeholder until E3 builds it). */
import { Coming } from "../../ui/coming";

/** API keys. */
export function ApiKeysScreen() {
  return <Coming title="API keys" />;
}
