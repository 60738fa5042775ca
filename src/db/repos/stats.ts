import { and, count, eq, gte, isNull, sql } from "drizzle-orm";
import type { Db } from "../client";
import { attendanceEvents, cameras, departments, faces, people } from "../schema";

/** Counts for the dashboard and health checks. */
export class StatsRepo {
  constructor(private readonly db: Db) {}

  async ping(): Promise<void> {
    await this.db.execute(sql`select 1`);
  }

  async overview(since: Date) {
    const one = async (q: Promise<{ n: number }[]>) => Number((await q)[0]?.n ?? 0);
    const [activePeople, allPeople, depts, faceCount, cams, eventsToday] = await Promise.all([
      one(this.db.select({ n: count() }).from(people).where(eq(people.active, true))),
      one(this.db.select({ n: count() }).from(people)),
      one(this.db.select({ n: count() }).from(departments)),
      one(this.db.select({ n: count() }).from(faces)),
      one(this.db.select({ n: count() }).from(cameras)),
      one(this.db.select({ n: count() }).from(attendanceEvents).where(and(gte(attendanceEvents.ts, since), isNull(attendanceEvents.voidedAt)))),
    ]);
    return { activePeople, allPeople, departments: depts, faces: faceCount, cameras: cams, eventsToday };
  }
}
