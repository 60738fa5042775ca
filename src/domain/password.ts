// Password policy: long enough, and not guessable from a list. The strength estimate is zxcvbn-ts
// (Dropbox's zxcvbn in TypeScript) with its language-common dictionaries: the most common passwords
// from breach corpora, common names and words, keyboard patterns, repeats ("aaaaaaaaaa", "abcabc"),
// sequences ("1234567890", "abcdefghij"), dates and l33t variants of all of these. A password must
// reach score 3 of 0-4, i.e. need about 10^8 guesses or more.
import { ZxcvbnFactory } from "@zxcvbn-ts/core";
import { adjacencyGraphs, dictionary } from "@zxcvbn-ts/language-common";

export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 128;
export const PASSWORD_MIN_SCORE = 3;

const WHY: Record<string, string> = {
  straightRow: "Keyboard rows are easy to guess",
  keyPattern: "Keyboard patterns are easy to guess",
  simpleRepeat: "Repeated characters like “aaa” are easy to guess",
  extendedRepeat: "Repeated patterns like “abcabc” are easy to guess",
  sequences: "Sequences like “abc” or “6543” are easy to guess",
  recentYears: "Recent years are easy to guess",
  dates: "Dates are easy to guess",
  topTen: "This is one of the most used passwords",
  topHundred: "This is one of the most used passwords",
  common: "This is a commonly used password",
  similarToCommon: "This is too close to a commonly used password",
  wordByItself: "Single words are easy to guess",
  namesByThemselves: "Single names are easy to guess",
  commonNames: "Common names are easy to guess",
  userInputs: "Do not use your name or e-mail address",
  pwned: "This password appeared in a data breach",
};

let factory: ZxcvbnFactory | undefined;

/**
 * Why `password` may not be used, or null when it may. `userInputs` (name, e-mail) count as known
 * words, so a password made of them is refused too.
 */
export function passwordProblem(password: string, userInputs: readonly string[] = []): string | null {
  if (password.length < PASSWORD_MIN) return `Use at least ${PASSWORD_MIN} characters`;
  if (password.length > PASSWORD_MAX) return `Use at most ${PASSWORD_MAX} characters`;
  factory ??= new ZxcvbnFactory({ graphs: adjacencyGraphs, dictionary: { ...dictionary } });
  const inputs = userInputs.flatMap((s) => [s.toLowerCase(), ...s.toLowerCase().split(/[^\p{L}\p{N}]+/u)]).filter((s) => s.length >= 3);
  const r = factory.check(password, inputs);
  if (r.score >= PASSWORD_MIN_SCORE) return null;
  const why = (r.feedback.warning && WHY[r.feedback.warning]) || "This password is too easy to guess";
  return `${why}; use a longer phrase of several unrelated words`;
}
