/**
 * @module Registry Svc HTTP routes (contract §4): paths, methods and fields of 1Backend's
 * registry-svc; rules live in the services. Success: register 201 `{}`, deletes 204 — each only once
 * the change is committed (503 `registry.not_persisted` when it could not be).
 */
import { Elysia, t } from "elysia";
import { authGuard } from "../../http/auth-guard";
import type { AuthGate } from "../auth-gate";
import { errors } from "../../contracts/error";
import { echoRoutes } from "./echo-routes";
import type { Acknowledgements } from "./flusher";
import type { NodeService } from "./nodes";
import { INSTANCE_DELETE, INSTANCE_EDIT, INSTANCE_VIEW, NODE_DELETE, NODE_VIEW } from "./permissions";
import { ListInstancesQuery, ListInstancesResponse, RegisterInstanceRequest } from "../../contracts/registry/instances";
import { ListNodesRequest, ListNodesResponse, SelfNodeResponse } from "../../contracts/registry/nodes";
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
          operationId: "registerInstance", description: "Registers an instance URL (`url`, or `scheme` + `host`|`ip` + `port` + `path`) for the caller's slug; the proxy then routes `/<slug>/…` to it. Re-registering the same URL by its owner is an idempotent upsert and counts as a heartbeat, so services call it periodically. 409 when another slug owns the URL (an admin may take it over); 400 for a bad URL or one the network policy denies (this server, link-local and metadata addresses unless allowed). Answers 201 once the registration is committed.",
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
      detail: { operationId: "listInstances", description: "Instances with their status and last heartbeat. Non-admins see only their own; admins and `proxy-svc` see all. Every filter is an exact match, combined with AND.", summary: "List instances (own ones; admins and proxy-svc see all)", tags },
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
        params: t.Object({ id: t.String({ minLength: 1, maxLength: 256, description: "Instance id, as listed by `GET /registry-svc/instances`." }) }),
        response: { 204: t.Void(), ...errors(400, 401, 403, 404, 503) },
        detail: { operationId: "removeInstance", description: "Removes an instance by id; allowed to its owner and to admins. The proxy stops routing to it at once. Answers 204 once the removal is committed; 404 for an unknown id.", summary: "Remove an instance (its owner or an admin)", tags },
      },
    )
    .get("/registry-svc/node/self", () => ({ node: nodes.self() }), {
      auth: NODE_VIEW,
      response: { 200: SelfNodeResponse, ...errors(401, 403) },
      detail: { operationId: "selfNode", description: "The node (running server) that answered: its id, URL, region, availability zone, last heartbeat and resource use.", summary: "This server's node", tags },
    })
    .post("/registry-svc/nodes", async ({ body }) => ({ nodes: await nodes.list(body.ids ?? []) }), {
      auth: NODE_VIEW,
      body: ListNodesRequest,
      parse: "json",
      response: { 200: ListNodesResponse, ...errors(400, 401, 403) },
      detail: { operationId: "listNodes", description: "Every node of the cluster, or those with the given ids, with their last heartbeat, whether they are alive (a heartbeat less than 3 × OB_HEALTH_INTERVAL ago) and resource use. A node that stopped is removed OB_NODE_TTL after its last heartbeat.", summary: "List nodes (all, or those with the given ids)", tags },
    })
    .delete(
      "/registry-svc/node/:url",
      async ({ params, status }) => {
        await nodes.delete(params.url);
        return status(204, undefined);
      },
      {
        auth: NODE_DELETE,
        params: t.Object({ url: t.String({ minLength: 1, maxLength: 2048, description: "Node URL, URL-encoded as one path segment." }) }),
        response: { 204: t.Void(), ...errors(400, 401, 403, 404) },
        detail: { operationId: "deleteNode", description: "Removes a node record by its URL (URL-encoded as one path segment); needs `registry-svc:node:delete` (admins). A node that is still running registers itself again. Answers 204; 404 for an unknown node.", summary: "Delete a node by its URL", tags },
      },
    )
    .use(echoRoutes());
}
