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
import { AttendanceRepo, ReportsRepo } from "../db/repos/attendance";
import { HolidaysRepo, LeavesRepo, SchedulesRepo } from "../db/repos/schedules";
import { AttendanceService } from "./attendance";
import { ReportsService } from "./reports";
import type { Auth } from "./auth";
import { CamerasRepo } from "../db/repos/cameras";
import { EventBus } from "./bus";
import { CameraService } from "./cameras";
import { SightingService } from "./sightings";
import { ReviewService } from "./review";
import { createMediaStore, MonitoredMediaStore } from "./media";

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
  attendance: AttendanceService;
  reports: ReportsService;
  bus: EventBus;
  cameras: CameraService;
  sightings: SightingService;
  review: ReviewService;
  /** Evidence photos and unknown-face crops: DATA_DIR/media or the S3 bucket. */
  media: MonitoredMediaStore;
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
  const media = new MonitoredMediaStore(createMediaStore(config), log);
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
    modelsDir: config.MODELS_DIR,
    policy: DEFAULT_ENROLL_POLICY,
    strangerAcceptRate: config.STRANGER_ACCEPT_RATE,
    log,
  });
  const jobs = new JobRegistry();
  const attendanceService = new AttendanceService({
    repo: new AttendanceRepo(db),
    schedules: new SchedulesRepo(db),
    holidays: new HolidaysRepo(db),
    leaves: new LeavesRepo(db),
    people,
    audit,
    jobs,
    tz: config.TZ,
    log,
  });
  attendanceService.startSettling();
  const bus = new EventBus();
  const camerasRepo = new CamerasRepo(db);
  const sightings = new SightingService({
    repo: camerasRepo,
    attendance: attendanceService,
    faces,
    bus,
    media,
    tz: config.TZ,
    dedupeMs: config.EVENT_DEDUPE_MINUTES * 60_000,
    minIntervalMs: config.BOTH_MIN_INTERVAL_MINUTES * 60_000,
    log,
  });
  const cameras = new CameraService({ repo: camerasRepo, faces, audit, bus, log, width: config.CAMERA_WIDTH, liveFps: config.LIVE_FPS, allowFiles: config.CLOCKFACE_ALLOW_FILE_SOURCES, minFaceSize: config.CAMERA_MIN_FACE, motion: { threshold: config.MOTION_THRESHOLD, fullFrameMs: config.MOTION_FULL_FRAME_MS }, onSighting: sightings.handle });
  const services: Services = {
    audit,
    users,
    stats: new StatsRepo(db),
    accounts: new AccountsService(auth, users, audit),
    people,
    faces,
    jobs,
    attendance: attendanceService,
    reports: new ReportsService(new ReportsRepo(db), people, config.TZ),
    bus,
    cameras,
    sightings,
    review: new ReviewService({ repo: camerasRepo, faces, people, sightings, media, audit }),
    media,
    banners: () => {
      const st = faces.status();
      const out: Banner[] = st.ready ? [] : [{ level: "error", text: `Face recognition is disabled: ${st.reason}.` }];
      if (media.problem) out.push({ level: "error", text: `Media storage ${media.location} is unreachable (${media.problem}): camera and kiosk check-ins are not recorded until their photos can be stored.` });
      return out;
    },
    close: async () => {
      media.close();
      await cameras.close();
      await attendanceService.stopSettling();
    },
  };
  return services;
}
