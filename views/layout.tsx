import type { Child } from "hono/jsx";
import type { CurrentUser } from "../src/app-env";

export const NAV = [
  { href: "/", label: "Dashboard", key: "dashboard" },
  { href: "/live", label: "Live", key: "live" },
  { href: "/people", label: "People", key: "people" },
  { href: "/attendance", label: "Attendance", key: "attendance" },
  { href: "/reports", label: "Reports", key: "reports" },
  { href: "/cameras", label: "Cameras", key: "cameras" },
  { href: "/settings", label: "Settings", key: "settings" },
] as const;

export interface LayoutProps {
  title: string;
  user: CurrentUser | null;
  active?: string;
  /** Paths that have a page; navigation shows only these. */
  pages?: ReadonlySet<string>;
  banner?: Child;
  children: Child;
}

export function Layout({ title, user, active, pages, banner, children }: LayoutProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="htmx-config" content='{"extensions": "sse"}' />
        <title>{`${title} · Clockface`}</title>
        <link rel="icon" href="/assets/favicon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href="/assets/css/app.css" />
        {/* Not deferred: htmx run from a deferred script starts on a timer, which can fire before a
            slower deferred extension has loaded, and then hx-sse:connect is never wired up. Loaded
            while the page is still parsing, htmx waits for DOMContentLoaded, after both. */}
        <script src="/assets/vendor/htmx.min.js"></script>
        <script src="/assets/vendor/hx-sse.min.js"></script>
        <script src="/assets/vendor/alpine-csp.min.js" defer></script>
      </head>
      <body>
        <header class="topbar">
          <a class="brand" href="/">
            Clockface
          </a>
          {user && (
            <nav aria-label="Main">
              {NAV.filter((n) => !pages || pages.has(n.href)).map((n) => (
                <a href={n.href} aria-current={active === n.key ? "page" : undefined}>
                  {n.label}
                </a>
              ))}
              {user.role === "admin" && (
                <a href="/users" aria-current={active === "users" ? "page" : undefined}>
                  Users
                </a>
              )}
            </nav>
          )}
          {user && (
            <form method="post" action="/logout" class="who">
              <span title={user.email}>
                {user.name} · {user.role}
              </span>
              <a href="/account/password">Password</a>
              <button type="submit" class="link">
                Sign out
              </button>
            </form>
          )}
        </header>
        {banner}
        <main id="main">{children}</main>
      </body>
    </html>
  );
}

/** A titled panel used by most pages. */
export function Panel({ title, actions, id, children }: { title: string; actions?: Child; id?: string; children: Child }) {
  return (
    <section class="panel" id={id}>
      <div class="panel-head">
        <h1>{title}</h1>
        {actions && <div class="actions">{actions}</div>}
      </div>
      {children}
    </section>
  );
}

export function ErrorPage({ status, message, requestId }: { status: number; message: string; requestId?: string }) {
  return (
    <section class="panel error-page">
      <h1>{status === 404 ? "Not found" : status === 403 ? "Not allowed" : status === 503 ? "Temporarily unavailable" : status >= 500 ? "Something went wrong" : "Request problem"}</h1>
      <p>{message}</p>
      {requestId && (
        <p class="muted">
          Request id: <code>{requestId}</code>
        </p>
      )}
      <p>
        <a href="/">Back to the dashboard</a>
      </p>
    </section>
  );
}
