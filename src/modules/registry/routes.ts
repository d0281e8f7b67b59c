/**
 * @module Registry Svc HTTP routes (contract §4): paths, methods and fields of 1Backend's
 * registry-svc; rules live in the services. Success: register 201 `{}`, deletes 204 — each only once
 * the change is committed (503 `registry.not_persisted` when it could not be).
 */
import { Elysia, t } from "elysia";
import { authGuard, type AuthGate } from "../../http/auth-guard";
import { errors } from "../../http/errors";
import { echoRoutes } from "./echo-routes";
import type { Acknowledgements } from "./flusher";
import type { NodeService } from "./nodes";
import { INSTANCE_DELETE, INSTANCE_EDIT, INSTANCE_VIEW, NODE_DELETE, NODE_VIEW } from "./permissions";
import {
  ListInstancesQuery,
  ListInstancesResponse,
  ListNodesRequest,
  ListNodesResponse,
  RegisterInstanceRequest,
  SelfNodeResponse,
} from "./schemas";
import type { InstanceService } from "./service";

const tags = ["Registry Svc"];

function jsonResponse(json: string): Response {
  return new Response(json, { headers: { "content-type": "application/json" } });
}

/**
 * The registry-svc instance and node routes (with the echo routes), guarded by the registry
 * permissions. Instance changes are acknowledged once `commits` has committed them.
 */
export function registryRoutes(gate: AuthGate, instances: InstanceService, nodes: NodeService, commits: Acknowledgements) {
  return new Elysia({ name: "registry-svc" })
    .use(authGuard(gate))
    .put(
      "/registry-svc/instance",
      async ({ caller, body, status }) => {
        const record = await instances.register(caller, body);
        await commits.whenCommitted(record.id);
        return status(201, {});
      },
      {
        auth: INSTANCE_EDIT,
        body: RegisterInstanceRequest,
        parse: "json",
        response: { 201: t.Object({}), ...errors(400, 401, 403, 409, 503) },
        detail: {
          operationId: "registerInstance",
          summary: "Register an instance (idempotent; the owner's re-registration is a heartbeat)",
          tags,
        },
      },
    )
    // Pre-serialised (see InstanceService.listJson); the response schema still documents the shape.
    .get("/registry-svc/instances", ({ caller, query }) => jsonResponse(instances.listJson(caller, query)), {
      auth: INSTANCE_VIEW,
      query: ListInstancesQuery,
      response: { 200: ListInstancesResponse, ...errors(400, 401, 403) },
      detail: { operationId: "listInstances", summary: "List instances (own ones; admins and proxy-svc see all)", tags },
    })
    .delete(
      "/registry-svc/instance/:id",
      async ({ caller, params, status }) => {
        await instances.remove(caller, params.id);
        await commits.whenCommitted(params.id);
        return status(204, undefined);
      },
      {
        auth: INSTANCE_DELETE,
        params: t.Object({ id: t.String({ minLength: 1, maxLength: 256 }) }),
        response: { 204: t.Void(), ...errors(400, 401, 403, 404, 503) },
        detail: { operationId: "removeInstance", summary: "Remove an instance (its owner or an admin)", tags },
      },
    )
    .get("/registry-svc/node/self", () => ({ node: nodes.self() }), {
      auth: NODE_VIEW,
      response: { 200: SelfNodeResponse, ...errors(401, 403) },
      detail: { operationId: "selfNode", summary: "This server's node", tags },
    })
    .post("/registry-svc/nodes", ({ body }) => ({ nodes: nodes.list(body.ids ?? []) }), {
      auth: NODE_VIEW,
      body: ListNodesRequest,
      parse: "json",
      response: { 200: ListNodesResponse, ...errors(400, 401, 403) },
      detail: { operationId: "listNodes", summary: "List nodes (all, or those with the given ids)", tags },
    })
    .delete(
      "/registry-svc/node/:url",
      ({ params, status }) => {
        nodes.delete(params.url);
        return status(204, undefined);
      },
      {
        auth: NODE_DELETE,
        params: t.Object({ url: t.String({ minLength: 1, maxLength: 2048, description: "Node URL, URL-encoded as one path segment." }) }),
        response: { 204: t.Void(), ...errors(400, 401, 403, 404) },
        detail: { operationId: "deleteNode", summary: "Delete a node by its URL", tags },
      },
    )
    .use(echoRoutes());
}
