// Kiosk devices: created by an admin, paired once through a one-time link, then authorised by their
// own credential, which may punch and read the device's settings and nothing else.
import { createHash, randomBytes } from "node:crypto";
import QRCode from "qrcode";
import type { Actor, AuditService } from "../db/repos/audit";
import type { KioskRow, KiosksRepo } from "../db/repos/kiosks";
import { HttpError } from "../lib/http";

/** A paired device, as requests authorised by its credential see it. */
export interface KioskDevice {
  id: number;
  name: string;
  location: string;
}

/** A pairing link to show once: the address and its QR code (SVG). */
export interface Pairing {
  kiosk: KioskRow;
  link: string;
  qrSvg: string;
  expiresAt: Date;
}

/** The header a paired kiosk sends its credential in. */
export const KIOSK_HEADER = "x-kiosk-token";

/** Last seen is written at most this often per device. */
const TOUCH_EVERY_MS = 60_000;

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
const secret = (prefix: string) => `${prefix}${randomBytes(32).toString("base64url")}`;

export class KioskService {
  constructor(
    private readonly d: {
      repo: KiosksRepo;
      audit: AuditService;
      /** Public URL of the app: pairing links point at its /kiosk page. */
      baseUrl: string;
      pairingMinutes: number;
      now?: () => Date;
    },
  ) {}

  private now(): Date {
    return this.d.now?.() ?? new Date();
  }

  list(): Promise<KioskRow[]> {
    return this.d.repo.list();
  }

  async create(input: { name: string; location: string }, actor: Actor): Promise<Pairing> {
    if (await this.d.repo.byName(input.name)) throw new HttpError(422, `There is already a kiosk called ${input.name}`, { fields: { name: "There is already a kiosk with this name" } });
    const code = secret("cfp_");
    const expiresAt = this.expiry();
    const kiosk = await this.d.repo.insert({ name: input.name, location: input.location, pairingHash: sha256(code), pairingExpiresAt: expiresAt });
    await this.d.audit.record(actor, "create", "kiosk", kiosk.id, null, { name: kiosk.name, location: kiosk.location, pairingExpiresAt: expiresAt.toISOString() });
    return this.pairing(kiosk, code, expiresAt);
  }

  /** A fresh pairing link for a device (a replaced tablet); the old link stops working. */
  async newPairing(id: number, actor: Actor): Promise<Pairing> {
    const code = secret("cfp_");
    const expiresAt = this.expiry();
    const kiosk = await this.d.repo.setPairing(id, sha256(code), expiresAt);
    if (!kiosk) throw new HttpError(404, "No such kiosk, or it was revoked (create a new one)");
    await this.d.audit.record(actor, "new_pairing_link", "kiosk", kiosk.id, null, { name: kiosk.name, pairingExpiresAt: expiresAt.toISOString() });
    return this.pairing(kiosk, code, expiresAt);
  }

  /** Uses a pairing code once: returns the device's new credential. */
  async pair(code: string, requestId?: string): Promise<{ token: string; kiosk: KioskDevice }> {
    const token = secret("cfk_");
    const kiosk = await this.d.repo.pair(sha256(code), sha256(token), this.now());
    if (!kiosk) throw new HttpError(410, "This pairing link does not work any more: it was already used, it expired, or the kiosk was revoked. Ask an admin for a new link on the Kiosks page.");
    await this.d.audit.record({ id: null, label: `kiosk ${kiosk.name}`, requestId }, "pair", "kiosk", kiosk.id, null, { name: kiosk.name, location: kiosk.location });
    return { token, kiosk: device(kiosk) };
  }

  /** The device a credential belongs to (null when unknown or revoked); notes that it was seen. */
  async authenticate(token: string): Promise<KioskDevice | null> {
    if (!token.startsWith("cfk_") || token.length > 200) return null;
    const kiosk = await this.d.repo.byToken(sha256(token));
    if (!kiosk) return null;
    await this.d.repo.touch(kiosk.id, this.now(), TOUCH_EVERY_MS);
    return device(kiosk);
  }

  async revoke(id: number, actor: Actor): Promise<KioskRow> {
    const kiosk = await this.d.repo.revoke(id, this.now());
    if (!kiosk) throw new HttpError(404, "No such kiosk, or it was already revoked");
    await this.d.audit.record(actor, "revoke", "kiosk", kiosk.id, { name: kiosk.name, location: kiosk.location }, { revokedAt: kiosk.revokedAt?.toISOString() });
    return kiosk;
  }

  private expiry(): Date {
    return new Date(this.now().getTime() + this.d.pairingMinutes * 60_000);
  }

  private async pairing(kiosk: KioskRow, code: string, expiresAt: Date): Promise<Pairing> {
    // The code travels in the fragment, so it never reaches a server log or a proxy.
    const link = `${this.d.baseUrl.replace(/\/$/, "")}/kiosk#pair=${code}`;
    const qrSvg = await QRCode.toString(link, { type: "svg", errorCorrectionLevel: "M", margin: 2 });
    return { kiosk, link, qrSvg, expiresAt };
  }
}

function device(k: KioskRow): KioskDevice {
  return { id: k.id, name: k.name, location: k.location };
}
