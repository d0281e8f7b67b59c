/** @module One JSON call to a running server over real HTTP, for tests that drive several compiled nodes. */

/** Sends `body` as JSON (with a bearer `token` when given); answers the status and the parsed body (null when empty). */
export async function call(method: string, url: string, body?: unknown, token?: string): Promise<{ status: number; body: any }> {
  const response = await fetch(url, {
    method,
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}
