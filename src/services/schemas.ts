import { z } from "zod";
import { isDay } from "../domain/time";

/**
 * Input and output shapes of people and departments. The HTML forms, the JSON API and the OpenAPI
 * document all use these, so they cannot drift apart.
 */

const emptyToNull = (v: unknown) => (typeof v === "string" && v.trim() === "" ? null : v);
const trimmed = (max: number) => z.string().trim().max(max, `At most ${max} characters`);

/** Ids are PostgreSQL integers: a larger number can name nothing (and the database would refuse it). */
export const MAX_ID = 2_147_483_647;

/**
 * The days the product handles. A date outside is a typo (9999-12-31), and beyond what the time zone
 * arithmetic and the database agree on; every date field is checked against it.
 */
export const FIRST_DAY = "2000-01-01";
export const LAST_DAY = "2100-12-31";
export const dayInRange = (day: string) => day >= FIRST_DAY && day <= LAST_DAY;
export const dayRangeMessage = (what: string) => `The ${what} must lie between ${FIRST_DAY} and ${LAST_DAY}`;

/** A real calendar day YYYY-MM-DD between FIRST_DAY and LAST_DAY; `notADay` (`missing`) is the message otherwise. */
export const dayString = (what: string, notADay: string, missing = notADay) =>
  z.string({ error: missing }).refine(isDay, notADay).refine(dayInRange, dayRangeMessage(what));

export const EMPLOYEE_CODE = /^[A-Za-z0-9][A-Za-z0-9._\-/]*$/;

export const personFields = {
  name: trimmed(200).min(1, "Enter a name").describe("Full name as shown on screens and reports"),
  employeeCode: trimmed(64)
    .min(1, "Enter an employee code")
    .regex(EMPLOYEE_CODE, "Use letters, digits and . _ - / only")
    .describe("Unique code from HR or payroll"),
  departmentId: z.preprocess(emptyToNull, z.coerce.number().int().positive().max(MAX_ID, "No such department").nullable()).describe("Department id or null"),
  email: z.preprocess(emptyToNull, z.email("Enter a valid e-mail address").max(200).nullable()).describe("Optional e-mail"),
  active: z.boolean().describe("Inactive people are not recognised and not expected at work"),
  notes: z.preprocess(emptyToNull, trimmed(2000).nullable()).describe("Free text"),
  consent: z
    .boolean()
    .describe("true records consent to face enrollment now (who and when are stored); false withdraws it"),
};

export const personCreateSchema = z
  .object({
    name: personFields.name,
    employeeCode: personFields.employeeCode,
    departmentId: personFields.departmentId.optional(),
    email: personFields.email.optional(),
    active: personFields.active.default(true),
    notes: personFields.notes.optional(),
    consent: personFields.consent.optional(),
  })
  .strict();

export const personPatchSchema = z
  .object({
    name: personFields.name.optional(),
    employeeCode: personFields.employeeCode.optional(),
    departmentId: personFields.departmentId.optional(),
    email: personFields.email.optional(),
    active: personFields.active.optional(),
    notes: personFields.notes.optional(),
    consent: personFields.consent.optional(),
  })
  .strict();

export type PersonCreate = z.infer<typeof personCreateSchema>;
export type PersonPatch = z.infer<typeof personPatchSchema>;

export const personSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  employeeCode: z.string(),
  departmentId: z.number().int().nullable(),
  departmentName: z.string().nullable(),
  email: z.string().nullable(),
  active: z.boolean(),
  consentAt: z.string().nullable().describe("ISO time consent was recorded, or null"),
  consentBy: z.string().nullable(),
  notes: z.string().nullable(),
  faceCount: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const departmentFields = {
  name: trimmed(120).min(1, "Enter a name"),
  description: z.preprocess(emptyToNull, trimmed(1000).nullable()),
};

export const departmentCreateSchema = z
  .object({
    name: departmentFields.name,
    description: departmentFields.description.optional(),
  })
  // A department's schedule is set with PUT /api/v1/departments/:id/schedule, which recomputes the
  // daily statuses it changes.
  .strict();

export const departmentPatchSchema = departmentCreateSchema.partial().strict();

export type DepartmentCreate = z.infer<typeof departmentCreateSchema>;
export type DepartmentPatch = z.infer<typeof departmentPatchSchema>;

export const departmentSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  description: z.string().nullable(),
  scheduleId: z.number().int().nullable().describe("Set with PUT /api/v1/departments/:id/schedule"),
  peopleCount: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const boolish = z.preprocess((v) => (v === "true" || v === "1" ? true : v === "false" || v === "0" ? false : v === "" ? undefined : v), z.boolean().optional());

export const listQuerySchema = z.object({
  q: z.string().trim().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(25),
  offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
});

export const peopleQuerySchema = listQuerySchema.extend({
  departmentId: z
    .preprocess((v) => (v === "" ? undefined : v === "none" ? null : v), z.coerce.number().int().positive().max(MAX_ID, "No such department").nullable().optional())
    .describe('Department id; "none" for people without a department; empty or absent for everyone'),
  active: boolish,
  sort: z.enum(["name", "code", "department", "created"]).default("name"),
});

export type PeopleQuery = z.infer<typeof peopleQuerySchema>;

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), total: z.number().int(), limit: z.number().int(), offset: z.number().int() });

export const errorSchema = z.object({
  error: z.string(),
  fields: z.record(z.string(), z.string()).optional().describe("Field name → message, for validation errors"),
});

export const importReportSchema = z.object({
  encoding: z.string().optional().describe('The character encoding the file was read as, e.g. "UTF-8" or "Windows-1252 (Latin-1)"'),
  created: z.number().int(),
  updated: z.number().int(),
  failed: z.number().int(),
  rows: z.array(
    z.object({
      line: z.number().int(),
      employeeCode: z.string().nullable(),
      status: z.enum(["created", "updated", "failed"]),
      error: z.string().optional(),
    }),
  ),
});
export type ImportReport = z.infer<typeof importReportSchema>;

export const erasureReportSchema = z.object({
  id: z.number().int(),
  pseudonym: z.string().describe('What the audit log now says instead of the person ("erased person #…")'),
  personId: z.number().int().describe("The erased person's former id"),
  erasedAt: z.string(),
  erasedBy: z.string().nullable(),
  counts: z
    .object({
      faces: z.number().int(),
      embeddings: z.number().int(),
      faceCrops: z.number().int(),
      negatives: z.number().int(),
      events: z.number().int(),
      evidencePhotos: z.number().int(),
      unknownFaces: z.number().int(),
      unknownCrops: z.number().int(),
      leaves: z.number().int(),
      dailyRecords: z.number().int(),
      auditRowsPseudonymised: z.number().int(),
    })
    .describe("What was removed, per kind"),
  filesQueued: z.number().int().describe("Photo files queued for deletion (face crops, evidence photos, unknown-face crops)"),
  filesRemaining: z.number().int().describe("Files not deleted yet (unreachable storage; retried until gone)"),
  filesDoneAt: z.string().nullable().describe("When the last file was deleted"),
});
