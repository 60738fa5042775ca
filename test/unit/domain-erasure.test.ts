import { describe, expect, test } from "bun:test";
import { auditSearchPatterns, pseudonymFor, pseudonymise } from "../../src/domain/erasure";

const who = { name: "Zoë O'Neil", employeeCode: "E-7", email: "zoe@example.com", notes: "Allergic to nuts" };
const P = "erased person #0a0b0c0d";

describe("pseudonymising audit snapshots", () => {
  test("the pseudonym comes from random bytes, not from the person", () => {
    expect(pseudonymFor(new Uint8Array([10, 11, 12, 13, 99]))).toBe(P);
  });

  test("the person's own records: name and code become the pseudonym, e-mail and notes null, whatever they held then", () => {
    const before = { name: "Zoe Smith", employeeCode: "OLD-1", email: "old@example.com", notes: "x", departmentId: 3, active: true, consentBy: "admin@x" };
    expect(pseudonymise(before, who, P, true)).toEqual({ name: P, employeeCode: P, email: null, notes: null, departmentId: 3, active: true, consentBy: "admin@x" });
    expect(pseudonymise({ scheduleId: 4 }, who, P, true)).toEqual({ scheduleId: 4 });
  });

  test("elsewhere: exact values anywhere (case-insensitive), and name, e-mail and notes inside free text", () => {
    const snap = { reason: "corrected for zoë o'neil, see ZOE@example.com", list: ["e-7", "E-77", { who: "Zoë O'Neil" }], code: "E-7", n: 5, x: null };
    expect(pseudonymise(snap, who, P, false)).toEqual({ reason: `corrected for ${P}, see ${P}`, list: [P, "E-77", { who: P }], code: P, n: 5, x: null });
  });

  test("a snapshot without personal data is returned as is (same object)", () => {
    const snap = { personId: 7, kind: "check_in", tags: ["a"] };
    expect(pseudonymise(snap, who, P, false)).toBe(snap);
    expect(pseudonymise(null, who, P, true)).toBeNull();
  });

  test("a short name is replaced only as a whole value, not inside other words", () => {
    const al = { name: "Al", employeeCode: "A1", email: null, notes: null };
    expect(pseudonymise({ a: "Al", b: "Alice and Al" }, al, P, false)).toEqual({ a: P, b: "Alice and Al" });
  });

  test("search patterns match the JSON text of a snapshot, with LIKE wildcards escaped", () => {
    const pats = auditSearchPatterns({ name: 'Ann "50%" Lee', employeeCode: "A_1", email: null, notes: null });
    expect(pats).toContain('%"Ann \\\\"50\\%\\\\" Lee"%');
    expect(pats).toContain('%"A\\_1"%');
    expect(pats).toContain('%Ann \\\\"50\\%\\\\" Lee%');
  });
});
