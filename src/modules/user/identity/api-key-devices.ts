/**
 * @module The devices of API-key sessions. A token minted from an API key lives on the device
 * `api-key:<key id>`, so revoking the key finds its sessions, and {@link ApiKeyDevices.allows} is the
 * session service's issue guard: such a device gets tokens (refreshes, exchanges) only while its key
 * is unrevoked and unexpired, so a key's expiry also ends the sessions minted from it (they would
 * otherwise auto-refresh forever). It needs only the key store, so it exists before the session
 * service that consults it, and the API key service that mints through that session service.
 */
import type { Clock } from "../../../lib/clock";
import type { ApiKeyStore } from "./store/api-keys";
import type { ApiKeyRow } from "./wire";

const DEVICE_PREFIX = "api-key:";

/** The device of the sessions minted from a key. */
export const deviceOf = (keyId: string) => `${DEVICE_PREFIX}${keyId}`;

/** Whether a session's device is an API key's (such sessions keep it through exchanges, see AccountService.exchange). */
export const isApiKeyDevice = (device: string) => device.startsWith(DEVICE_PREFIX);

/** Whether a key may still be used: not revoked, not expired. */
export const isUsable = (row: ApiKeyRow, now: number) => row.revokedAt === null && (row.expiresAt === null || row.expiresAt > now);

/** Which devices may still get tokens; see the module comment. */
export class ApiKeyDevices {
  constructor(private readonly d: { keys: ApiKeyStore; clock: Clock }) {}

  /** Other devices are always allowed; a key's device while its key, of the same user, is usable. */
  async allows(userId: string, device: string): Promise<boolean> {
    if (!isApiKeyDevice(device)) return true;
    const row = (await this.d.keys.findByIds([device.slice(DEVICE_PREFIX.length)]))[0];
    return row !== undefined && row.userId === userId && isUsable(row, this.d.clock.now());
  }
}
