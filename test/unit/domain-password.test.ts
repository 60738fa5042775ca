import { describe, expect, test } from "bun:test";
import { PASSWORD_MAX, passwordProblem } from "../../src/domain/password";

describe("password policy", () => {
  test("refuses common, repeated and sequential passwords, saying why", () => {
    expect(passwordProblem("aaaaaaaaaa")).toBe("Repeated characters like “aaa” are easy to guess; use a longer phrase of several unrelated words");
    expect(passwordProblem("1234567890")).toBe("This is one of the most used passwords; use a longer phrase of several unrelated words");
    expect(passwordProblem("password12")).toBe("This is a commonly used password; use a longer phrase of several unrelated words");
    for (const p of ["abcdefghij", "qwertyuiop", "Password123!", "iloveyou12", "abcabcabcabc", "s".repeat(40), "Welcome2024", "P@ssw0rd2024", "0987654321"]) {
      expect([p, passwordProblem(p)]).toEqual([p, expect.stringContaining("use a longer phrase") as unknown as string]);
    }
  });

  test("accepts passphrases, including the ones the tests sign in with", () => {
    for (const p of ["correct-horse-battery", "a-long-password", "olga-password-1", "boss-password-1", "kiosk-password-1", "a-very-long-password", "Tr0ub4dor&3 horse"]) {
      expect([p, passwordProblem(p)]).toEqual([p, null]);
    }
  });

  test("length bounds come first", () => {
    expect(passwordProblem("")).toBe("Use at least 10 characters");
    expect(passwordProblem("x7#Qp!2z")).toBe("Use at least 10 characters");
    expect(passwordProblem("correct-horse-battery ".repeat(6))).toBe(`Use at most ${PASSWORD_MAX} characters`);
  });

  test("the user's own name and e-mail count as easy words", () => {
    expect(passwordProblem("olga.petrova", [])).toBeNull();
    expect(passwordProblem("olga.petrova", ["Olga Petrova", "olga.petrova@example.com"])).toBe("Do not use your name or e-mail address; use a longer phrase of several unrelated words");
  });
});
