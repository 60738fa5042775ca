import type { Child } from "hono/jsx";

/** Builds a query string from defined, non-empty values. */
export function qs(params: Record<string, string | number | boolean | null | undefined>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") u.set(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : "";
}

/**
 * Previous/next links for a paginated list. Links work without JavaScript; with htmx they swap only
 * `target` (selected from the same page) and push the URL.
 */
export function Pager({ base, params, total, limit, offset, target }: { base: string; params: Record<string, string | number | boolean | null | undefined>; total: number; limit: number; offset: number; target: string }) {
  const page = Math.floor(offset / limit) + 1;
  const pages = Math.max(1, Math.ceil(total / limit));
  const link = (off: number, label: string, rel: string) => {
    const href = `${base}${qs({ ...params, limit, offset: off })}`;
    return (
      <a class="btn secondary" rel={rel} href={href} hx-get={href} hx-target={target} hx-select={target} hx-swap="outerHTML" hx-push-url="true">
        {label}
      </a>
    );
  };
  return (
    <nav class="pager" aria-label="Pages">
      {offset > 0 ? link(Math.max(0, offset - limit), "← Previous", "prev") : <span />}
      <span class="muted">
        Page {page} of {pages} · {total} in all
      </span>
      {offset + limit < total ? link(offset + limit, "Next →", "next") : <span />}
    </nav>
  );
}

/** A form's submitted values, and its problems by field name. */
export type FormValues = Record<string, string | undefined>;
export type FormErrors = Record<string, string>;

export function FieldError({ errors, name }: { errors?: Record<string, string>; name: string }) {
  const e = errors?.[name];
  return e ? (
    <div class="field-error" id={`${name}-error`}>
      {e}
    </div>
  ) : null;
}

export function Flash({ kind = "ok", children }: { kind?: "ok" | "bad"; children: Child }) {
  return (
    <p class={`flash ${kind === "bad" ? "bad" : ""}`} role={kind === "bad" ? "alert" : "status"}>
      {children}
    </p>
  );
}

export function fmtDateTime(d: Date | null | undefined, tz: string): string {
  if (!d) return "";
  return d.toLocaleString("en-GB", { timeZone: tz, year: "numeric", month: "short", day: "2-digit", hour: "2-digit", minute: "2-digit" });
}

/** A "Delete" link-styled button that posts to `action` after the browser confirms `confirm` (htmx, or a plain post without JS). */
export function DeleteForm({ action, confirm, swap }: { action: string; confirm: string; swap?: string }) {
  return (
    <form method="post" action={action} hx-post={action} hx-confirm={confirm} {...(swap ? { "hx-target": swap, "hx-select": swap, "hx-swap": "outerHTML" } : {})}>
      <button type="submit" class="link danger-link">
        Delete
      </button>
    </form>
  );
}
