import { existsSync } from "node:fs";
import { join } from "node:path";
import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { csrf } from "hono/csrf";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import { html } from "hono/html";
import type { Child } from "hono/jsx";
import { ErrorPage, Layout } from "../views/layout";
import type { AppDeps, AppEnv, Renderer } from "./app-env";
import { assetFiles } from "./assets.gen";
import { HTTPException } from "hono/http-exception";
import { HttpError } from "./lib/http";
import { uploadBudget } from "./lib/upload-budget";
import { Router } from "./routes/router";
import { KIOSK_HEADER } from "./services/kiosks";
import { registerRoutes } from "./routes";
import { betterAuthEndpoint, databaseUnavailable, identify, isDatabaseOutage } from "./lib/identity";

const MIME: Record<string, string> = {
  css: "text/css; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  mjs: "text/javascript; charset=utf-8",
  wasm: "application/wasm",
  svg: "image/svg+xml",
  png: "image/png",
  ico: "image/x-icon",
  json: "application/json",
};

export const CSP = [
  "default-src 'self'",
  // MediaPipe compiles its WebAssembly; nothing else needs eval (Alpine is the CSP build).
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  // Only our own origin: this also blocks MediaPipe's telemetry and model downloads from CDNs.
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

function isApi(c: Context): boolean {
  return c.req.path.startsWith("/api/");
}

export function createApp(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  const pages = new Set<string>();
  const { config, log } = deps;
  const publicDir = join(import.meta.dir, "..", "public");

  app.use(requestId({ headerName: "X-Request-Id", generator: () => crypto.randomUUID() }));
  app.use(async (c, next) => {
    const started = performance.now();
    c.set("deps", deps);
    c.set("user", null);
    c.set("kiosk", null);
    c.set("render", renderer(c, pages));
    await next();
    if (c.req.path.startsWith("/assets/")) return;
    log.debug("request", {
      requestId: c.get("requestId"),
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round((performance.now() - started) * 10) / 10,
      user: c.get("user")?.email ?? (c.get("kiosk") ? `kiosk ${c.get("kiosk")!.name}` : undefined),
    });
  });
  app.use(
    secureHeaders({
      contentSecurityPolicy: undefined,
      xFrameOptions: "DENY",
      referrerPolicy: "same-origin",
      crossOriginEmbedderPolicy: false,
    }),
  );
  app.use(async (c, next) => {
    await next();
    if (!c.res.headers.has("Content-Security-Policy")) c.res.headers.set("Content-Security-Policy", CSP);
  });
  app.use(uploadBudget());
  app.use(
    bodyLimit({
      maxSize: config.MAX_BODY_BYTES,
      onError: (c) => {
        const msg = `The request body is larger than ${Math.round(config.MAX_BODY_BYTES / 1024 / 1024)} MiB`;
        return isApi(c) ? c.json({ error: msg }, 413) : c.get("render").page("Too large", <ErrorPage status={413} message={msg} />, { status: 413 });
      },
    }),
  );
  // Form posts must come from our own pages (Origin check); better-auth checks its own endpoints.
  // Requests authorised by an x-api-key or kiosk credential header alone carry no ambient credential a
  // foreign site could ride on, so integrations and kiosks may upload photos without an Origin header.
  const csrfCheck = csrf({
    origin: (origin, c) => origin === new URL(c.req.url).origin || origin === new URL(config.BASE_URL).origin,
  });
  app.use((c, next) => ((c.req.header("x-api-key") || c.req.header(KIOSK_HEADER)) && !c.req.header("cookie") ? next() : csrfCheck(c, next)));

  app.get("/assets/*", async (c) => {
    const path = c.req.path;
    let file = assetFiles[path];
    if (!file && !path.includes("..")) {
      const onDisk = join(publicDir, path.slice("/assets/".length));
      if (existsSync(onDisk)) file = onDisk;
    }
    if (!file) return c.notFound();
    const ext = path.slice(path.lastIndexOf(".") + 1);
    return new Response(Bun.file(file), {
      headers: {
        "Content-Type": MIME[ext] ?? "application/octet-stream",
        "Cache-Control": path.startsWith("/assets/vendor/") ? "public, max-age=86400" : "no-cache",
      },
    });
  });

  // Of better-auth's HTTP endpoints only reading and ending a session are served (src/lib/identity.tsx).
  app.get("/api/auth/get-session", betterAuthEndpoint);
  app.post("/api/auth/sign-out", betterAuthEndpoint);

  // Who is asking: session cookie, x-api-key or a kiosk credential (src/lib/identity.tsx).
  app.use(identify());

  const router = new Router(app);
  registerRoutes(router, deps);
  for (const s of router.specs) if (s.method === "GET" && !s.path.includes(":")) pages.add(s.path);

  app.notFound((c) => {
    if (isApi(c)) return c.json({ error: `No route for ${c.req.method} ${c.req.path}` }, 404);
    return c.get("render").page("Not found", <ErrorPage status={404} message="There is no page at this address." />, { status: 404 });
  });

  app.onError(async (err, c) => {
    const rid = c.get("requestId");
    const wantsJson = isApi(c) || !c.req.header("accept")?.includes("text/html");
    if (await isDatabaseOutage(c, err)) return databaseUnavailable(c, err, wantsJson);
    if (err instanceof HttpError) {
      if (wantsJson) return c.json({ error: err.message, ...err.details }, err.status);
      return c.get("render").page("Request problem", <ErrorPage status={err.status} message={err.message} requestId={rid} />, { status: err.status });
    }
    if (err instanceof HTTPException && err.status < 500) {
      const msg = err.status === 403 ? "This form was sent from another site and was blocked." : err.message || "Bad request";
      if (isApi(c)) return c.json({ error: msg }, err.status);
      return c.get("render").page("Request problem", <ErrorPage status={err.status} message={msg} requestId={rid} />, { status: err.status });
    }
    log.error("unhandled error", { requestId: rid, method: c.req.method, path: c.req.path, err });
    if (isApi(c)) return c.json({ error: "Internal error", requestId: rid }, 500);
    return c.get("render").page(
      "Error",
      <ErrorPage status={500} message="The server could not finish this request. The problem was logged." requestId={rid} />,
      { status: 500 },
    );
  });

  return { app, routes: router.specs };
}

function renderer(c: Context<AppEnv>, pages: ReadonlySet<string>): Renderer {
  const page = (title: string, body: Child, opts: { status?: number; active?: string } = {}) => {
    const status = (opts.status ?? 200) as 200;
    const partial = c.req.header("HX-Request") === "true" && c.req.header("HX-Request-Type") !== "full";
    if (partial) return c.html(<>{body}</>, status);
    const deps = c.get("deps");
    const banners = deps.services.banners?.() ?? [];
    return c.html(
      html`<!doctype html>${(
        <Layout
          title={title}
          user={c.get("user")}
          active={opts.active}
          pages={pages}
          banner={banners.map((b) => (
            <div class={`banner ${b.level === "error" ? "bad" : ""}`} role="status">
              {b.text}
            </div>
          ))}
        >
          {body}
        </Layout>
      )}`,
      status,
    );
  };
  return {
    page,
    forbidden: (access) =>
      page("Not allowed", <ErrorPage status={403} message={`This page needs the ${access} role. Ask an admin.`} />, { status: 403 }),
  };
}
