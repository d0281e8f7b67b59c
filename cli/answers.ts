/**
 * @module The server answers the CLI checks before it prints them, as it reads them: the contract's
 * schemas (src/contracts), with the lists optional, since 1Backend leaves an empty list out. cli/api.ts
 * loads this on the first call that needs it, so commands that never ask the server (`env`,
 * `completion`, `--help`) start without loading TypeBox.
 */
import { Type } from "@sinclair/typebox";
import { ListInstancesResponse } from "../src/contracts/registry/instances";
import { ListNodesResponse } from "../src/contracts/registry/nodes";
import { ApiKeyView, CreatedApiKey, Enroll, Permit, TokenResponse, UserRecord } from "../src/contracts/user/models";

/** Each answer by name, for `apiAnswer(name, …)`. */
export const Answers = {
  instances: Type.Partial(ListInstancesResponse),
  nodes: Type.Partial(ListNodesResponse),
  permits: Type.Partial(Type.Object({ permits: Type.Array(Permit) })),
  enrolls: Type.Partial(Type.Object({ enrolls: Type.Array(Enroll) })),
  users: Type.Partial(Type.Object({ users: Type.Array(UserRecord) })),
  apiKeys: Type.Partial(Type.Object({ apiKeys: Type.Array(ApiKeyView) })),
  createdApiKey: CreatedApiKey,
  /** Login and register: a missing token is reported by the command itself, in its own words. */
  token: Type.Partial(TokenResponse),
};

/** The name of a checked answer. */
export type AnswerName = keyof typeof Answers;
