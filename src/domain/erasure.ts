// Pseudonymising an erased person's personal data in audit snapshots (pure: no I/O).

export interface PersonalData {
  name: string;
  employeeCode: string;
  email: string | null;
  notes: string | null;
}

/** Fields of a person's own audit snapshots that hold personal data: name and code become the pseudonym, the rest null. */
const OWN_FIELDS: Record<string, "pseudonym" | "null"> = { name: "pseudonym", employeeCode: "pseudonym", email: "null", notes: "null" };

/** Free text shorter than this is replaced only where it is a whole value (a short name could be part of anything). */
const MIN_SUBSTRING = 4;

/** "erased person #<8 hex>" from random bytes: not derived from the person, so it reveals nothing about them. */
export function pseudonymFor(random: Uint8Array): string {
  return `erased person #${Array.from(random.slice(0, 4), (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

function escapeRegExp(s: string) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * The personal data values to look for: exact values (employee code, and every value) and, for
 * long enough name, e-mail and notes, substrings of free text (case-insensitive).
 */
function needles(who: PersonalData) {
  const all = [who.name, who.employeeCode, who.email, who.notes].map((s) => s?.trim() ?? "").filter((s) => s.length > 0);
  const inText = [who.name, who.email, who.notes].map((s) => s?.trim() ?? "").filter((s) => s.length >= MIN_SUBSTRING);
  return {
    exact: new Set(all.map((s) => s.toLowerCase())),
    inText: inText.length ? new RegExp(inText.sort((a, b) => b.length - a.length).map(escapeRegExp).join("|"), "gi") : null,
  };
}

/**
 * A copy of an audit snapshot with the person's personal data replaced by the pseudonym. `own` is
 * true for the person's own records (entity "person"), whose name/code/e-mail/notes fields are
 * replaced whatever they held then (an earlier name, say). Returns the same value when nothing changed.
 */
export function pseudonymise(value: unknown, who: PersonalData, pseudonym: string, own: boolean): unknown {
  const n = needles(who);
  const walk = (v: unknown, top: boolean): unknown => {
    if (typeof v === "string") {
      if (n.exact.has(v.trim().toLowerCase())) return pseudonym;
      if (n.inText) {
        n.inText.lastIndex = 0;
        if (n.inText.test(v)) return v.replace(n.inText, pseudonym);
      }
      return v;
    }
    if (Array.isArray(v)) {
      const out = v.map((x) => walk(x, false));
      return out.some((x, i) => x !== v[i]) ? out : v;
    }
    if (v && typeof v === "object") {
      let changed = false;
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        const rule = own && top ? OWN_FIELDS[k] : undefined;
        const y = rule && x !== null ? (rule === "pseudonym" ? pseudonym : null) : walk(x, false);
        if (y !== x) changed = true;
        out[k] = y;
      }
      return changed ? out : v;
    }
    return v;
  };
  return walk(value, true);
}

/** LIKE patterns that find, in a snapshot's JSON text, the rows that may hold this person's data. */
export function auditSearchPatterns(who: PersonalData): string[] {
  const like = (s: string) => s.replace(/[\\%_]/g, (m) => `\\${m}`);
  const json = (s: string) => JSON.stringify(s).slice(1, -1);
  const out = new Set<string>();
  for (const s of [who.name, who.employeeCode, who.email, who.notes]) {
    const t = s?.trim();
    if (t) out.add(`%"${like(json(t))}"%`);
  }
  for (const s of [who.name, who.email, who.notes]) {
    const t = s?.trim();
    if (t && t.length >= MIN_SUBSTRING) out.add(`%${like(json(t))}%`);
  }
  return [...out];
}
