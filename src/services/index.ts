import type { Config } from "../config";
import type { Database } from "../db/client";
import type { Logger } from "../lib/log";
import { AuditService } from "../db/repos/audit";
import { StatsRepo } from "../db/repos/stats";
import { UsersRepo } from "../db/repos/users";
import { DepartmentsRepo, PeopleRepo } from "../db/repos/people";
import { AccountsService } from "./accounts";
import { JobRegistry } from "./jobs";
import { PeopleService } from "./people";
import type { Auth } from "./auth";

/** Application services; routes call these and never touch the database directly. */
export interface Banner {
  level: "warn" | "error";
  text: string;
}

export interface Services {
  audit: AuditService;
  users: UsersRepo;
  stats: StatsRepo;
  accounts: AccountsService;
  people: PeopleService;
  jobs: JobRegistry;
  /** Site-wide notices shown above every page (e.g. recognition disabled). */
  banners(): Banner[];
  /** Stops background work (workers, timers) before the database closes. */
  close?(): Promise<void>;
}

export function createServices(database: Database, auth: Auth, _config: Config, _log: Logger): Services {
  const { db } = database;
  const audit = new AuditService(db);
  const users = new UsersRepo(db);
  return {
    audit,
    users,
    stats: new StatsRepo(db),
    accounts: new AccountsService(auth, users, audit),
    people: new PeopleService(new PeopleRepo(db), new DepartmentsRepo(db), audit),
    jobs: new JobRegistry(),
    banners: () => [],
  };
}
