import type { Child } from "hono/jsx";
import { Panel } from "../layout";
import { FieldError, Flash, Pager, fmtDateTime } from "../partials/common";
import { PASSWORD_MIN } from "../../src/domain/password";

const ROLE_HELP = { viewer: "sees people, attendance and reports", operator: "also edits people, enrolls faces, corrects attendance", admin: "also manages users, cameras and settings" } as const;
type Role = keyof typeof ROLE_HELP;

export interface UserRowView {
  id: string;
  name: string;
  email: string;
  role: string | null;
  banned: boolean | null;
  createdAt: Date;
}

export interface ApiKeyView {
  id: string;
  name: string | null;
  start: string | null;
  createdAt: Date;
  lastRequest: Date | null;
  email: string;
  role: string | null;
}

export function UsersPage(props: { users: UserRowView[]; total: number; limit: number; offset: number; q?: string; me: string; tz: string; values?: Record<string, string>; errors?: Record<string, string>; flash?: string; flashBad?: boolean }) {
  const { users, me, tz, values = {}, errors = {} } = props;
  return (
    <Panel title="Users" id="users-page" actions={<a class="btn secondary" href="/api-keys">API keys</a>}>
      <div id="users">
        {props.flash && <Flash kind={props.flashBad ? "bad" : "ok"}>{props.flash}</Flash>}
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>E-mail</th>
              <th>Role</th>
              <th>Status</th>
              <th>Since</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr id={`user-${u.id}`}>
                <td>{u.name}</td>
                <td>{u.email}</td>
                <td>
                  <form class="inline-form" method="post" action={`/users/${u.id}/role`} hx-post={`/users/${u.id}/role`} hx-target="#users" hx-select="#users" hx-swap="outerHTML">
                    <select name="role" aria-label={`Role of ${u.email}`}>
                      {(Object.keys(ROLE_HELP) as Role[]).map((r) => (
                        <option value={r} selected={u.role === r}>
                          {r}
                        </option>
                      ))}
                    </select>
                    <button type="submit" class="secondary">
                      Set
                    </button>
                  </form>
                </td>
                <td>{u.banned ? <span class="badge bad">disabled</span> : <span class="badge ok">active</span>}</td>
                <td>{fmtDateTime(u.createdAt, tz)}</td>
                <td>
                  <form class="inline-form" method="post" action={`/users/${u.id}/password`} hx-post={`/users/${u.id}/password`} hx-target="#users" hx-select="#users" hx-swap="outerHTML">
                    <input name="password" type="password" autocomplete="new-password" minlength={PASSWORD_MIN} required placeholder="New password" aria-label={`New password for ${u.email}`} />
                    <button type="submit" class="secondary">
                      Reset
                    </button>
                  </form>
                  {u.id !== me && (
                    <form method="post" action={`/users/${u.id}/${u.banned ? "enable" : "disable"}`} hx-post={`/users/${u.id}/${u.banned ? "enable" : "disable"}`} hx-target="#users" hx-select="#users" hx-swap="outerHTML">
                      <button type="submit" class={u.banned ? "secondary" : "danger"}>
                        {u.banned ? "Enable" : "Disable"}
                      </button>
                    </form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <Pager base="/users" params={{ q: props.q }} total={props.total} limit={props.limit} offset={props.offset} target="#users" />
      </div>
      <h2>Create a user</h2>
      <p class="muted">Give them the password through a safe channel; they sign in with it at /login.</p>
      <form id="user-form" method="post" action="/users" hx-post="/users" hx-target="#users-page" hx-select="#users-page" hx-swap="outerHTML" novalidate>
        {errors._ && <Flash kind="bad">{errors._}</Flash>}
        <div class="form-grid">
          <div>
            <label for="u-name">Name</label>
            <input id="u-name" name="name" value={values.name ?? ""} required />
            <FieldError errors={errors} name="name" />
          </div>
          <div>
            <label for="u-email">E-mail</label>
            <input id="u-email" name="email" type="email" value={values.email ?? ""} required />
            <FieldError errors={errors} name="email" />
          </div>
          <div>
            <label for="u-role">Role</label>
            <select id="u-role" name="role">
              {(Object.keys(ROLE_HELP) as Role[]).map((r) => (
                <option value={r} selected={(values.role ?? "viewer") === r}>
                  {r} — {ROLE_HELP[r]}
                </option>
              ))}
            </select>
            <FieldError errors={errors} name="role" />
          </div>
          <div>
            <label for="u-password">Initial password (10+ characters)</label>
            <input id="u-password" name="password" type="password" autocomplete="new-password" required minlength={PASSWORD_MIN} />
            <FieldError errors={errors} name="password" />
          </div>
        </div>
        <p>
          <button type="submit">Create user</button>
        </p>
      </form>
    </Panel>
  );
}

export function ApiKeysPage({ keys, users, newKey, errors = {}, tz }: { keys: ApiKeyView[]; users: { id: string; email: string; role: string | null }[]; newKey?: { name: string; key: string }; errors?: Record<string, string>; tz: string }) {
  return (
    <Panel title="API keys" id="keys-page" actions={<a class="btn secondary" href="/users">Users</a>}>
      <p class="muted">
        Integrations send a key in the <code>x-api-key</code> header (kiosks are paired on the <a href="/kiosks">Kiosks</a> page instead). A key acts with the role of the user it belongs to; create a dedicated viewer or operator user for each integration.
      </p>
      {newKey && (
        <div class="flash" role="status">
          New key <strong>{newKey.name}</strong>: <code id="new-key">{newKey.key}</code>
          <br />
          Copy it now; it is not shown again.
        </div>
      )}
      {keys.length === 0 ? (
        <p class="muted">No API keys yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Starts with</th>
              <th>User</th>
              <th>Created</th>
              <th>Last used</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {keys.map((k) => (
              <tr>
                <td>{k.name ?? "—"}</td>
                <td>
                  <code>{k.start ?? ""}…</code>
                </td>
                <td>
                  {k.email} <span class="badge">{k.role ?? "viewer"}</span>
                </td>
                <td>{fmtDateTime(k.createdAt, tz)}</td>
                <td>{k.lastRequest ? fmtDateTime(k.lastRequest, tz) : "never"}</td>
                <td>
                  <form method="post" action={`/api-keys/${k.id}/revoke`} hx-post={`/api-keys/${k.id}/revoke`} hx-target="#keys-page" hx-select="#keys-page" hx-swap="outerHTML" hx-confirm={`Revoke ${k.name ?? "this key"}? Clients using it stop working at once.`}>
                    <button type="submit" class="danger">
                      Revoke
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Create a key</h2>
      <form class="inline-form" method="post" action="/api-keys">
        <div>
          <label for="k-name">Name</label>
          <input id="k-name" name="name" placeholder="Entrance kiosk" required maxlength={100} />
          <FieldError errors={errors} name="name" />
        </div>
        <div>
          <label for="k-user">For user</label>
          <select id="k-user" name="userId">
            {users.map((u) => (
              <option value={u.id}>
                {u.email} ({u.role ?? "viewer"})
              </option>
            ))}
          </select>
          <FieldError errors={errors} name="userId" />
        </div>
        <div class="actions">
          <button type="submit">Create key</button>
        </div>
      </form>
    </Panel>
  );
}

export interface AuditRowView {
  id: number;
  at: Date;
  actorLabel: string | null;
  action: string;
  entity: string;
  entityId: string | null;
  before: unknown;
  after: unknown;
}

export function AuditPage({ rows, entity, entities, offset, limit, hasMore, tz }: { rows: AuditRowView[]; entity?: string; entities: string[]; offset: number; limit: number; hasMore: boolean; tz: string }) {
  return (
    <Panel title="Audit log" actions={<a class="btn secondary" href="/erasures">Erasure log</a>}>
      <form class="filters" method="get" action="/audit" hx-get="/audit" hx-trigger="change, submit" hx-target="#audit-table" hx-select="#audit-table" hx-swap="outerHTML" hx-push-url="true">
        <div>
          <label for="entity">What</label>
          <select id="entity" name="entity">
            <option value="">Everything</option>
            {entities.map((e) => (
              <option value={e} selected={entity === e}>
                {e}
              </option>
            ))}
          </select>
        </div>
        <noscript>
          <button type="submit">Filter</button>
        </noscript>
      </form>
      <div id="audit-table">
        <table>
          <thead>
            <tr>
              <th>When</th>
              <th>Who</th>
              <th>Did</th>
              <th>To</th>
              <th>Before → after</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((a) => (
              <tr>
                <td>{fmtDateTime(a.at, tz)}</td>
                <td>{a.actorLabel ?? "system"}</td>
                <td>{a.action}</td>
                <td>
                  {a.entity} {a.entityId ?? ""}
                </td>
                <td>
                  <Diff before={a.before} after={a.after} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {rows.length === 0 && <p class="muted">Nothing recorded yet.</p>}
        <nav class="pager">
          {offset > 0 ? (
            <a class="btn secondary" href={`/audit?entity=${entity ?? ""}&offset=${Math.max(0, offset - limit)}`}>
              ← Newer
            </a>
          ) : (
            <span />
          )}
          {hasMore ? (
            <a class="btn secondary" href={`/audit?entity=${entity ?? ""}&offset=${offset + limit}`}>
              Older →
            </a>
          ) : (
            <span />
          )}
        </nav>
      </div>
    </Panel>
  );
}

function Diff({ before, after }: { before: unknown; after: unknown }): Child {
  const b = (before ?? {}) as Record<string, unknown>;
  const a = (after ?? {}) as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].filter((k) => JSON.stringify(b[k]) !== JSON.stringify(a[k]));
  if (!keys.length) return <span class="muted">—</span>;
  const show = (v: unknown) => (v === undefined ? "" : typeof v === "string" ? v : JSON.stringify(v));
  return (
    <ul class="diff">
      {keys.map((k) => (
        <li>
          <strong>{k}</strong>: {before !== null && <del>{show(b[k])}</del>} {after !== null && <ins>{show(a[k])}</ins>}
        </li>
      ))}
    </ul>
  );
}

export function SettingsPage({ rows, isAdmin, children }: { rows: [string, string][]; isAdmin: boolean; children?: Child }) {
  return (
    <>
      <Panel title="Settings">
        <p class="muted">Values come from the environment at start (see the README's configuration table); change them there and restart.</p>
        <dl class="facts">
          {rows.map(([k, v]) => (
            <>
              <dt>{k}</dt>
              <dd>
                <code>{v}</code>
              </dd>
            </>
          ))}
        </dl>
        {isAdmin && (
          <p class="actions">
            <a class="btn secondary" href="/users">
              Users
            </a>
            <a class="btn secondary" href="/api-keys">
              API keys
            </a>
            <a class="btn secondary" href="/kiosks">
              Kiosks
            </a>
            <a class="btn secondary" href="/audit">
              Audit log
            </a>
          </p>
        )}
      </Panel>
      {children}
    </>
  );
}
