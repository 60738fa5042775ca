import type { Context } from "hono";
import { ReviewPage } from "../../views/pages/review";
import type { AppDeps, AppEnv } from "../app-env";
import { HttpError, fieldErrors, formFields, idParam } from "../lib/http";
import type { ReviewOutcome } from "../services/review";
import { listQuerySchema, personCreateSchema } from "../services/schemas";
import { actorOf, type Router } from "./router";

export function registerReviewRoutes(r: Router, deps: AppDeps) {
  const { review } = deps.services;
  const LIMIT = 20;

  const page = async (c: Context<AppEnv>, extra: { flash?: string; flashBad?: boolean; errors?: { groupId: number; message: string }; status?: number } = {}) => {
    const q = listQuerySchema.safeParse(c.req.query());
    const offset = q.success ? q.data.offset : 0;
    const { groups, total } = await review.groups(LIMIT, offset);
    return c.get("render").page("Unknown faces", <ReviewPage groups={groups} total={total} limit={LIMIT} offset={offset} tz={deps.config.TZ} {...extra} />, { active: "cameras", status: extra.status });
  };
  const outcome = (o: ReviewOutcome, who: string) =>
    `${who}: ${o.enrolled} face${o.enrolled === 1 ? "" : "s"} enrolled${o.rejected.length ? `; ${o.rejected.length} not usable (${[...new Set(o.rejected.map((x) => x.reason))].join("; ")})` : ""}.`;
  /** Runs a review action; validation problems re-render the queue with the message at the group. */
  const act = (fn: (c: Context<AppEnv>, groupId: number, f: Record<string, string>) => Promise<string>) => async (c: Context<AppEnv>) => {
    const groupId = idParam(c, "group");
    const f = await formFields(c);
    try {
      return page(c, { flash: await fn(c, groupId, f) });
    } catch (e) {
      if (e instanceof HttpError && e.status === 422) {
        const fields = e.details?.fields as Record<string, string> | undefined;
        return page(c, { errors: { groupId, message: fields ? Object.values(fields).join("; ") : e.message }, status: 422 });
      }
      throw e;
    }
  };

  r.get("/unknown", "operator", (c) => page(c));
  r.post(
    "/unknown/:group/enroll",
    "operator",
    act(async (c, groupId, f) => {
      const parsed = personCreateSchema.safeParse({ name: f.name, employeeCode: f.employeeCode, consent: f.consent === "1" });
      if (!parsed.success) throw new HttpError(422, "Invalid person", { fields: fieldErrors(parsed.error) });
      return outcome(await review.enrollAsNew(groupId, parsed.data, actorOf(c)), parsed.data.name);
    }),
  );
  r.post(
    "/unknown/:group/assign",
    "operator",
    act(async (c, groupId, f) => {
      const text = f.person ?? f.employeeCode ?? "";
      return outcome(await review.assignPicked(groupId, text, f.personId, actorOf(c)), `Employee ${text.trim()}`);
    }),
  );
  r.post(
    "/unknown/:group/dismiss",
    "operator",
    act(async (c, groupId) => `Dismissed ${await review.dismiss(groupId, actorOf(c))} face(s).`),
  );
}
