/** @module The product version, shown by `--version`, `/health` and the OpenAPI document. */
export const VERSION = "0.1.0";
