import { raw } from "hono/html";
import type { KioskRow } from "../../src/db/repos/kiosks";
import { Panel } from "../layout";
import { FieldError, fmtDateTime } from "../partials/common";

export interface PairingView {
  name: string;
  link: string;
  qrSvg: string;
  expiresAt: Date;
}

function state(k: KioskRow, now: Date): { label: string; kind: string } {
  if (k.revokedAt) return { label: "revoked", kind: "bad" };
  if (k.pairingHash && k.pairingExpiresAt && k.pairingExpiresAt > now) return { label: k.pairedAt ? "paired · new link waiting" : "waiting for pairing", kind: "warn" };
  if (k.pairedAt) return { label: "paired", kind: "ok" };
  return { label: "pairing link expired", kind: "warn" };
}

/** Kiosk devices: create, pair through a one-time link or QR code, see when each was last seen, revoke. */
export function KiosksPage({ kiosks, pairing, values = {}, errors = {}, flash, tz, now }: { kiosks: KioskRow[]; pairing?: PairingView; values?: Record<string, string>; errors?: Record<string, string>; flash?: string; tz: string; now: Date }) {
  return (
    <Panel title="Kiosks" id="kiosks-page">
      <p class="muted">
        A kiosk is a tablet at an entrance that checks people in and out by face. Each kiosk is paired once with a one-time link; its credential can only check people in and out, nothing else.
      </p>
      {flash && (
        <div class="flash" role="status">
          {flash}
        </div>
      )}
      {pairing && (
        <section class="pairing" aria-label="Pairing link">
          <h2>Pair {pairing.name}</h2>
          <p>
            On the tablet, scan this code with the camera app or open the link. It works once, until {fmtDateTime(pairing.expiresAt, tz)}; it is not shown again.
          </p>
          <div class="qr">{raw(pairing.qrSvg)}</div>
          <p>
            <code id="pairing-link" class="wrap">
              {pairing.link}
            </code>
          </p>
        </section>
      )}
      {kiosks.length === 0 ? (
        <p class="muted">No kiosks yet.</p>
      ) : (
        <div class="scroll">
          <table>
            <thead>
              <tr>
                <th>Name</th>
                <th>Location</th>
                <th>State</th>
                <th>Paired</th>
                <th>Last seen</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {kiosks.map((k) => {
                const s = state(k, now);
                return (
                  <tr id={`kiosk-${k.id}`}>
                    <td>{k.name}</td>
                    <td>{k.location || "—"}</td>
                    <td>
                      <span class={`badge ${s.kind}`}>{s.label}</span>
                    </td>
                    <td>{k.pairedAt ? fmtDateTime(k.pairedAt, tz) : "—"}</td>
                    <td>{k.lastSeenAt ? fmtDateTime(k.lastSeenAt, tz) : "never"}</td>
                    <td class="actions">
                      {!k.revokedAt && (
                        <>
                          <form method="post" action={`/kiosks/${k.id}/pairing`}>
                            <button type="submit" class="secondary">
                              New pairing link
                            </button>
                          </form>
                          <form method="post" action={`/kiosks/${k.id}/revoke`} hx-post={`/kiosks/${k.id}/revoke`} hx-target="#kiosks-page" hx-select="#kiosks-page" hx-swap="outerHTML" hx-confirm={`Revoke ${k.name}? The tablet goes back to its pairing screen at once.`}>
                            <button type="submit" class="danger">
                              Revoke
                            </button>
                          </form>
                        </>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <h2>Add a kiosk</h2>
      <form class="inline-form" method="post" action="/kiosks">
        <div>
          <label for="kiosk-name">Name</label>
          <input id="kiosk-name" name="name" placeholder="Entrance tablet" required maxlength={100} value={values.name ?? ""} />
          <FieldError errors={errors} name="name" />
        </div>
        <div>
          <label for="kiosk-location">Location</label>
          <input id="kiosk-location" name="location" placeholder="Main entrance, ground floor" maxlength={200} value={values.location ?? ""} />
          <FieldError errors={errors} name="location" />
        </div>
        <div class="actions">
          <button type="submit">Add and get a pairing link</button>
        </div>
      </form>
    </Panel>
  );
}
