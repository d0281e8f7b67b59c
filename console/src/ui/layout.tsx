/**
 * @module <Layout>: the frame of every signed-in screen — a skip link, the header (who is signed in,
 * sign out), the navigation (only the screens the user may use: NAV's permissions through `can`), the
 * page's <main> and the toasts.
 */
import type { ComponentChildren } from "preact";
import { useLocation } from "preact-iso";
import { can, useSession } from "../session";
import { signOut } from "../sign-out";
import { Toaster } from "./alert";

/** One entry of the navigation; `permission` null = every signed-in user. */
export interface NavItem {
  path: string;
  label: string;
  permission: string | null;
  group?: string;
}

/** The console's screens, in navigation order. */
export const NAV: readonly NavItem[] = [
  { path: "/console/services", label: "Services", permission: "registry-svc:instance:view" },
  { path: "/console/nodes", label: "Nodes", permission: "registry-svc:node:view" },
  { path: "/console/access/users", label: "Users", permission: "user-svc:user:view", group: "Access" },
  { path: "/console/access/roles", label: "Roles & permits", permission: "user-svc:permit:view", group: "Access" },
  { path: "/console/access/enrolls", label: "Enrolls", permission: "user-svc:enroll:view", group: "Access" },
  { path: "/console/access/orgs", label: "Organizations", permission: "user-svc:organization:view", group: "Access" },
  { path: "/console/access/api-keys", label: "API keys", permission: null, group: "Access" },
  { path: "/console/edge", label: "Edge", permission: "proxy-svc:route:view" },
  { path: "/console/traffic", label: "Traffic", permission: "metrics:view" },
];

/** Whether the signed-in user may open `item`. */
export function allowed(item: NavItem): boolean {
  return item.permission === null ? true : can(item.permission);
}

/** The first screen the signed-in user may open (Services for most). */
export function homePath(): string {
  return NAV.find(allowed)?.path ?? "/console/access/api-keys";
}

/** The page frame around a screen titled `title`. */
export function Layout({ title, children }: { title: string; children: ComponentChildren }) {
  const user = useSession();
  const { path } = useLocation();
  const items = NAV.filter(allowed);
  return (
    <div class="shell">
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <a class="brand" href={homePath()}>
          1Backend
        </a>
        <div class="who">
          {user && (
            <span>
              Signed in as <strong>{user.slug}</strong>
              {user.isAdmin && <span class="badge badge-neutral">admin</span>}
            </span>
          )}
          <button type="button" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <nav class="sidenav" aria-label="Console">
        <ul>
          {items.map((item, i) => (
            <li key={item.path} class={item.group && items[i - 1]?.group !== item.group ? "group-start" : undefined}>
              {item.group && items[i - 1]?.group !== item.group && <span class="nav-group">{item.group}</span>}
              <a href={item.path} aria-current={path === item.path ? "page" : undefined}>
                {item.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        <h1>{title}</h1>
        {children}
      </main>
      <Toaster />
    </div>
  );
}
