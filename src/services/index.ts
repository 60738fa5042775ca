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
import { ReportsService } from "./reports/compute";
import type { Auth } from "./auth";
import { CamerasRepo } from "../db/repos/cameras";
import { CameraService } from "./cameras";
import { SightingService } from "./sightings";
import { createLiveBus, type LiveBus } from "../live/events";
import { ReviewService } from "./review";
import { createMediaStore, LocalMediaStore, MonitoredMediaStore, SealedMediaStore } from "./media";
import { ErasureRepo } from "../db/repos/erasure";
import { ErasureService, FileQueue } from "./erasure";
import type { AtRest } from "../lib/at-rest";
import { AtRestRepo } from "../db/repos/at-rest";
import { AtRestMigration } from "./at-rest";
import { MemoryBudget } from "../lib/memory-budget";
import { KiosksRepo } from "../db/repos/kiosks";
import { KioskService } from "./kiosks";
import { HeldUploads } from "./held-uploads";

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
  /** Uploads refused only as a photo of a photo, held for 30 minutes so an operator can accept them. */
  heldUploads: HeldUploads;
  jobs: JobRegistry;
  attendance: AttendanceService;
  reports: ReportsService;
  bus: LiveBus;
  cameras: CameraService;
  sightings: SightingService;
  review: ReviewService;
  /** Kiosk devices: pairing, credentials, revocation. */
  kiosks: KioskService;
  /** Erasing people, and the durable queue of files to delete. */
  erasure: ErasureService;
  files: FileQueue;
  /** Evidence photos and unknown-face crops: DATA_DIR/media or the S3 bucket. */
  media: MonitoredMediaStore;
  /** Seals the face data written before at-rest encryption (started by server.ts). */
  atRest: AtRestMigration;
  /** Bytes of request bodies and decoded images held at once (UPLOAD_MEMORY_BUDGET_BYTES). */
  memory: MemoryBudget;
  /** Site-wide notices shown above every page (e.g. recognition disabled). */
  banners(): Banner[];
  /** Stops background work (workers, timers) before the database closes. */
  close?(): Promise<void>;
}

/** `atRest`: the key that seals embeddings and photos (derived from the server secret). */
export function createServices(database: Database, auth: Auth, config: Config, log: Logger, atRest: AtRest): Services {
  const { db } = database;
  const audit = new AuditService(db);
  const users = new UsersRepo(db);
  const people = new PeopleService(new PeopleRepo(db), new DepartmentsRepo(db), audit);
  const sealedMedia = new SealedMediaStore(createMediaStore(config), atRest, log);
  const media = new MonitoredMediaStore(sealedMedia, log);
  const mediaDir = join(resolve(config.DATA_DIR), "media");
  const crops = new SealedMediaStore(new LocalMediaStore(mediaDir), atRest, log);
  const settings = new SettingsRepo(db);
  const erasureRepo = new ErasureRepo(db);
  const files = new FileQueue({ repo: erasureRepo, media, facesDir: mediaDir, log });
  const faces = new FaceService({
    engine: null,
    disabledReason: "the engine is starting",
    faces: new FacesRepo(db, atRest),
    files,
    people,
    audit,
    crops,
    recognizer: defaultModels().recognizer,
    recognizers: loadManifest().models.filter((m): m is ModelOfRole<"recognizer"> => m.role === "recognizer"),
    settings,
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
  const bus = createLiveBus();
  const camerasRepo = new CamerasRepo(db, atRest);
  const sightings = new SightingService({
    repo: camerasRepo,
    attendance: attendanceService,
    faces,
    bus,
    media,
    files,
    tz: config.TZ,
    dedupeMs: config.EVENT_DEDUPE_MINUTES * 60_000,
    minIntervalMs: config.BOTH_MIN_INTERVAL_MINUTES * 60_000,
    log,
  });
  // An erased person's open unknown faces are gone: the grouping cache reloads.
  people.onPersonDeleted(() => sightings.invalidateGroups());
  const cameras = new CameraService({ repo: camerasRepo, faces, audit, bus, log, width: config.CAMERA_WIDTH, liveFps: config.LIVE_FPS, allowFiles: config.CLOCKFACE_ALLOW_FILE_SOURCES, minFaceSize: config.CAMERA_MIN_FACE, motion: { threshold: config.MOTION_THRESHOLD, fullFrameMs: config.MOTION_FULL_FRAME_MS }, onSighting: sightings.handle });
  const services: Services = {
    audit,
    users,
    stats: new StatsRepo(db),
    accounts: new AccountsService(auth, users, audit),
    people,
    faces,
    heldUploads: new HeldUploads({ ttlMs: 30 * 60_000, maxBytes: 64 * 1024 * 1024 }),
    jobs,
    attendance: attendanceService,
    reports: new ReportsService(new ReportsRepo(db), people, config.TZ),
    bus,
    cameras,
    sightings,
    kiosks: new KioskService({ repo: new KiosksRepo(db), audit, baseUrl: config.BASE_URL, pairingMinutes: config.KIOSK_PAIRING_MINUTES }),
    review: new ReviewService({ repo: camerasRepo, faces, people, sightings, media, audit }),
    erasure: new ErasureService({ repo: erasureRepo, files, people, audit, log }),
    files,
    media,
    atRest: new AtRestMigration({ repo: new AtRestRepo(db), settings, atRest, crops, media: sealedMedia, files, log }),
    memory: new MemoryBudget(config.UPLOAD_MEMORY_BUDGET_BYTES),
    banners: () => {
      const st = faces.status();
      const out: Banner[] = st.ready ? [] : [{ level: "error", text: `Face recognition is disabled: ${st.reason}.` }];
      if (media.problem) out.push({ level: "error", text: `Media storage ${media.location} is unreachable (${media.problem}): camera and kiosk check-ins are not recorded until their photos can be stored.` });
      return out;
    },
    close: async () => {
      await services.atRest.stop();
      media.close();
      await cameras.close();
      await attendanceService.stopSettling();
    },
  };
  return services;
}
