import type { Config } from "../config";
import type { Database } from "../db/client";
import type { Logger } from "../lib/log";
import { AuditService } from "../db/repos/audit";
import { StatsRepo } from "../db/repos/stats";
import { UsersRepo } from "../db/repos/users";
import { join, resolve } from "node:path";
import { FacesRepo } from "../db/repos/faces";
import { DepartmentsRepo, PeopleRepo } from "../db/repos/people";
import { SettingsRepo } from "../db/repos/settings";
import { defaultModels, loadManifest, type ModelOfRole } from "../models/manifest";
import { DEFAULT_ENROLL_POLICY, FaceService } from "./faces";
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
  faces: FaceService;
  jobs: JobRegistry;
  /** Site-wide notices shown above every page (e.g. recognition disabled). */
  banners(): Banner[];
  /** Stops background work (workers, timers) before the database closes. */
  close?(): Promise<void>;
}

export function createServices(database: Database, auth: Auth, config: Config, log: Logger): Services {
  const { db } = database;
  const audit = new AuditService(db);
  const users = new UsersRepo(db);
  const people = new PeopleService(new PeopleRepo(db), new DepartmentsRepo(db), audit);
  const faces = new FaceService({
    engine: null,
    disabledReason: "the engine is starting",
    faces: new FacesRepo(db),
    people,
    audit,
    mediaDir: join(resolve(config.DATA_DIR), "media"),
    recognizer: defaultModels().recognizer,
    recognizers: loadManifest().models.filter((m): m is ModelOfRole<"recognizer"> => m.role === "recognizer"),
    settings: new SettingsRepo(db),
    policy: DEFAULT_ENROLL_POLICY,
    log,
  });
  return {
    audit,
    users,
    stats: new StatsRepo(db),
    accounts: new AccountsService(auth, users, audit),
    people,
    faces,
    jobs: new JobRegistry(),
    banners: () => {
      const st = faces.status();
      return st.ready ? [] : [{ level: "error", text: `Face recognition is disabled: ${st.reason}.` }];
    },
  };
}
