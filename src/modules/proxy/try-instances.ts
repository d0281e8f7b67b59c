/**
 * @module The retry-over-instances loop that HTTP (forward.ts) and WebSocket (websocket.ts) forwarding
 * share: pick an instance (pick.ts), ask the registry's network policy before any packet (contract §4),
 * make the protocol's one attempt, and when the instance cannot be reached mark it Unreachable at once
 * and try another, up to `OB_PROXY_RETRIES` more, while no body byte was sent. The loop's answers:
 * - no routable instance left: 503 `proxy.no_healthy_instances`;
 * - the address is denied (or is this server): the instance is marked, 502 `proxy.address_denied`, final;
 * - a host name that does not resolve now: a connect failure like a refused connect;
 * - a connect failure once body bytes went out: 502 `proxy.bad_gateway` (the body cannot be sent twice);
 * - connect failures past the budget: 502 `proxy.upstream_unreachable`.
 * Anything else (a timeout, the instance's own refusal) is the protocol's attempt to answer.
 *
 * Chained calls, not async functions: the hot path (a first attempt that answers) costs no promise,
 * closure or object of the loop's own. Request state travels as arguments for the same reason.
 */
import type { AppError } from "../../http/errors";
import type { InstanceRouting, PinnedConnect, RoutedInstance } from "../registry/routing";
import * as errors from "./errors";
import type { Picker } from "./pick";
import type { ProxyTarget } from "./target";

/**
 * One protocol's try of one instance, connecting to `pin.url` when there is a pin, else to
 * `instance.url` (the loop has set the `Host` field to match). It resolves to the protocol's answer,
 * or, when the instance could not be reached, to what `loop.connectFailed(...)` answers. `tried`
 * (instances this request already failed to reach) and `context` (the protocol's own per-request
 * value) are handed back to the loop unchanged.
 */
export type InstanceAttempt<T, C> = (
  loop: InstanceLoop<T, C>,
  request: Request,
  target: ProxyTarget,
  headers: Headers,
  tried: string[] | undefined,
  instance: RoutedInstance,
  pin: PinnedConnect | undefined,
  context: C,
) => Promise<T>;

export interface InstanceLoopOptions<T, C> {
  routing: InstanceRouting;
  picker: Picker;
  /** `OB_PROXY_RETRIES`: how many more instances a request may try after connect failures. */
  retries: number;
  attempt: InstanceAttempt<T, C>;
  /** The proxy's own error answer for a request to `slug`. */
  answer(request: Request, slug: string, error: AppError): T;
  /** `instance` of `slug` could not be reached (before it is marked): for the protocol's logs and counts. */
  onConnectFailure?(request: Request, slug: string, instance: RoutedInstance, reason: unknown): void;
  /** Another instance is about to be tried after a connect failure. */
  onRetry?(slug: string): void;
}

/** The loop for one protocol; built once, shared by every request. */
export class InstanceLoop<T, C> {
  private readonly options: InstanceLoopOptions<T, C>;

  constructor(options: InstanceLoopOptions<T, C>) {
    this.options = options;
  }

  /** Tries the instances of `target.slug` until one answers; `instances` is what the caller read from the registry. */
  run(request: Request, target: ProxyTarget, headers: Headers, instances: readonly RoutedInstance[], context: C): Promise<T> {
    return this.next(request, target, headers, instances, undefined, context);
  }

  /** `instance` could not be reached: it is marked Unreachable, and another one is tried within the budget. */
  connectFailed(request: Request, target: ProxyTarget, headers: Headers, tried: string[] | undefined, instance: RoutedInstance, reason: unknown, context: C): Promise<T> {
    const { routing, retries, onConnectFailure } = this.options;
    onConnectFailure?.(request, target.slug, instance, reason);
    routing.reportConnectFailure(instance.id);
    if (request.bodyUsed) return this.fail(request, target, errors.badGateway());
    const failed = tried ?? [];
    failed.push(instance.id);
    if (failed.length > retries) return this.fail(request, target, errors.upstreamUnreachable());
    // Read again: the mark just made, and any other request's since, leave the pick.
    return this.next(request, target, headers, routing.instancesOf(target.slug), failed, context);
  }

  private next(request: Request, target: ProxyTarget, headers: Headers, instances: readonly RoutedInstance[], tried: string[] | undefined, context: C): Promise<T> {
    const { routing, picker, onRetry } = this.options;
    const instance = picker.pick(target.slug, instances, tried);
    if (instance === undefined) return this.fail(request, target, errors.noHealthyInstances());
    if (tried !== undefined) onRetry?.(target.slug);
    // The network policy, before any packet: undefined, synchronously, for IP literals; a recently
    // resolved name's pin (the checked address) likewise; a promise when a name is due.
    const verdict = routing.checkConnect?.(instance.id);
    if (verdict === undefined) return this.attempt(request, target, headers, tried, instance, undefined, context);
    if (verdict instanceof Promise) {
      return verdict.then((v) =>
        v === undefined || v.kind === "pinned" ? this.attempt(request, target, headers, tried, instance, v, context) : this.refused(request, target, headers, tried, instance, v.kind, v.reason, context),
      );
    }
    if (verdict.kind === "pinned") return this.attempt(request, target, headers, tried, instance, verdict, context);
    return this.refused(request, target, headers, tried, instance, verdict.kind, verdict.reason, context);
  }

  /** `pin`: a host name's checked address, connected to instead of a new lookup of the name (DNS rebinding). */
  private attempt(request: Request, target: ProxyTarget, headers: Headers, tried: string[] | undefined, instance: RoutedInstance, pin: PinnedConnect | undefined, context: C): Promise<T> {
    // The edge keeps the client's Host upstream (contract §8); a pin then only picks the address.
    if (target.edgeScheme !== undefined) return this.options.attempt(this, request, target, headers, tried, instance, pin, context);
    if (pin !== undefined) headers.set("host", pin.host);
    else if (tried !== undefined) headers.delete("host"); // a pinned attempt before this retry set it
    return this.options.attempt(this, request, target, headers, tried, instance, pin, context);
  }

  /** A host name that does not resolve is a connect failure (next instance); a denied address is final. */
  private refused(request: Request, target: ProxyTarget, headers: Headers, tried: string[] | undefined, instance: RoutedInstance, kind: "denied" | "self" | "unresolved", reason: string, context: C): Promise<T> {
    if (kind === "unresolved") return this.connectFailed(request, target, headers, tried, instance, reason, context);
    this.options.routing.reportConnectFailure(instance.id);
    return this.fail(request, target, errors.addressDenied());
  }

  private fail(request: Request, target: ProxyTarget, error: AppError): Promise<T> {
    return Promise.resolve(this.options.answer(request, target.slug, error));
  }
}
