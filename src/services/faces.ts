// Enrollment, the in-memory gallery and recognition decisions, on top of the engine worker pool.
import { isForeignKeyViolation } from "../db/client";
import { join } from "node:path";
import type { Actor, AuditService } from "../db/repos/audit";
import type { FaceRow, FacesRepo } from "../db/repos/faces";
import type { SettingsRepo } from "../db/repos/settings";
import { matchThresholdForGallery } from "../domain/face/calibration";
import { Gallery, NegativeIndex, decide, type Decision } from "../domain/face/matching";
import { qualityVerdict, type FaceQuality, type QualityThresholds } from "../domain/face/quality";
import { HttpError } from "../lib/http";
import type { Logger } from "../lib/log";
import { defaultModels, type ModelOfRole } from "../models/manifest";
import { verifyModel } from "../models/store";
import type { FaceResult } from "../../workers/protocol";
import type { EnginePool } from "./engine";
import type { FileQueue } from "./erasure";
import type { MediaStore } from "./media";
import type { PeopleService } from "./people";

export interface DecisionThresholds {
  match: number;
  unknown: number;
  margin: number;
}

export interface EnrollPolicy extends QualityThresholds {
  /**
   * Below this liveness probability an enrollment image is treated as a photo of a photo or a screen.
   * MiniFASNet is trained on live camera captures: on uploaded press photos (facescrub) 28 % score
   * under 0.2 and 9 % under 0.01, so uploads get the lenient bound and webcam captures the strict one.
   */
  minLiveness: { upload: number; webcam: number };
  /** Similarity to one of the person's own faces above which a new photo adds nothing. */
  duplicateSimilarity: number;
  /** Faces at least this fraction of the largest face's size count as "another face in the photo". */
  otherFaceRatio: number;
  maxFacesPerPerson: number;
}

export const DEFAULT_ENROLL_POLICY: EnrollPolicy = {
  minFaceSize: 48,
  // Genuine facescrub photos: sharpness p1 = 190; Gaussian blur σ=6 p50 = 44, σ=12 on a 400 px face = 15.
  minSharpness: 60,
  maxYaw: 40,
  maxPitch: 40,
  minBrightness: 35,
  maxBrightness: 225,
  minLiveness: { upload: 0.01, webcam: 0.2 },
  duplicateSimilarity: 0.97,
  otherFaceRatio: 0.5,
  maxFacesPerPerson: 20,
};

/** A negative example blocks its person for faces at least this similar to it. */
const NEGATIVE_SIMILARITY = 0.5;

export type EnrollRejection =
  | "no_consent"
  | "no_face"
  | "several_faces"
  | "too_small"
  | "blurry"
  | "extreme_pose"
  | "too_dark"
  | "too_bright"
  | "spoof"
  | "near_duplicate"
  | "too_many_faces";

export class EnrollRejected extends HttpError {
  constructor(
    readonly reason: EnrollRejection,
    message: string,
    /** An uploaded photo refused only as a photo of a photo: an operator may accept it. */
    readonly acceptable = false,
  ) {
    super(422, message, acceptable ? { reason, acceptable } : { reason });
  }
}

export interface RecognizedFace {
  box: FaceResult["box"];
  landmarks: FaceResult["landmarks"];
  detScore: number;
  liveness: number | null;
  quality: FaceQuality;
  decision: Decision;
  match: { personId: number; name: string; similarity: number } | null;
  /** Best candidate even when not a match (for review screens). */
  best: { personId: number; similarity: number } | null;
}

/** What Settings stores under "recognition": the active recogniser and threshold overrides per recogniser. */
export interface RecognitionSettings {
  recognizer?: string;
  thresholds?: Record<string, DecisionThresholds>;
}

export interface EngineStatus {
  ready: boolean;
  reason?: string;
  recognizer: string;
  /** Recogniser being switched to (re-embedding in the background), if any. */
  switchingTo: string | null;
  gallery: number;
  /** People with at least one face in the gallery. */
  people: number;
  negatives: number;
}

export class FaceService {
  gallery: Gallery;
  negatives = new NegativeIndex();
  /** Thresholds set in Settings for the active recogniser; null: the calibrated ones. */
  private override: DecisionThresholds | null = null;
  private active: ModelOfRole<"recognizer">;
  private switchingTo: string | null = null;

  constructor(
    private d: {
      engine: EnginePool | null;
      /** Why the engine is off (missing or corrupt models), shown as a banner. */
      disabledReason?: string;
      faces: FacesRepo;
      /** Crops are queued as pending while their enrolment commits, and for deletion with their row: a crash in between leaves no orphan. */
      files: FileQueue;
      people: PeopleService;
      audit: AuditService;
      /** The enrolled crops (DATA_DIR/media/faces), sealed (a SealedMediaStore). */
      crops: MediaStore;
      /** The default recogniser (the manifest's), used until Settings chooses another. */
      recognizer: ModelOfRole<"recognizer">;
      /** Every recogniser in the manifest. */
      recognizers: ModelOfRole<"recognizer">[];
      settings: SettingsRepo;
      /** Where the model files are (the in-browser detector is served from there). */
      modelsDir: string;
      policy: EnrollPolicy;
      /** Chance a stranger may be matched to someone (sets the calibrated match threshold by gallery size). */
      strangerAcceptRate: number;
      log: Logger;
    },
  ) {
    this.active = d.recognizer;
    this.gallery = new Gallery(d.recognizer.output.dim);
    d.people.onPersonDeleted((id) => this.forgetPerson(id));
    d.people.onPersonChanged((before, after) => this.personChanged(after.id, before.active, after.active));
  }

  /** Connects the started worker pool (or records why recognition is off). */
  attach(engine: EnginePool | null, disabledReason?: string) {
    this.d.engine = engine;
    this.d.disabledReason = disabledReason;
  }

  engineStats() {
    return this.d.engine?.stats() ?? null;
  }

  get recognizerId(): string {
    return this.active.id;
  }

  get recognizers(): ModelOfRole<"recognizer">[] {
    return this.d.recognizers;
  }

  private async recognitionSettings(): Promise<RecognitionSettings> {
    return (await this.d.settings.get<RecognitionSettings>("recognition")) ?? {};
  }

  /** A recogniser's override from Settings, if any. */
  private async overrideOf(model: ModelOfRole<"recognizer">): Promise<DecisionThresholds | null> {
    return (await this.recognitionSettings()).thresholds?.[model.id] ?? null;
  }

  /**
   * Thresholds in use: the Settings override, else the manifest's calibration, where the match
   * threshold depends on how many people are enrolled (more people, more chances for a stranger).
   */
  get thresholds(): DecisionThresholds {
    if (this.override) return this.override;
    const t = this.active.thresholds;
    return { match: round(matchThresholdForGallery(t.matchCurve, this.gallery.people, this.d.strangerAcceptRate)), unknown: t.unknown, margin: t.margin };
  }

  get strangerAcceptRate(): number {
    return this.d.strangerAcceptRate;
  }

  /** Builds the in-memory gallery and negative examples of one recogniser from the database. */
  private async buildGallery(model: ModelOfRole<"recognizer">): Promise<{ gallery: Gallery; negatives: NegativeIndex }> {
    const rows = await this.d.faces.embeddings(model.id);
    const gallery = new Gallery(model.output.dim, Math.max(1024, rows.length));
    for (const e of rows) gallery.add(e.faceId, e.personId, e.embedding);
    const negatives = new NegativeIndex();
    for (const n of await this.d.faces.negatives(model.id)) negatives.add(n.id, n.personId, n.embedding);
    return { gallery, negatives };
  }

  /**
   * Loads the active recogniser (from Settings; the default when that model is not available) with
   * its thresholds, gallery and negative examples.
   */
  async load(available: string[] = this.d.recognizers.map((r) => r.id)): Promise<void> {
    const chosen = (await this.recognitionSettings()).recognizer;
    const model = this.d.recognizers.find((r) => r.id === chosen && available.includes(r.id)) ?? this.d.recognizer;
    if (chosen && chosen !== model.id) this.d.log.warn("the chosen recogniser is not available; using the default", { chosen, using: model.id });
    const { gallery, negatives } = await this.buildGallery(model);
    this.active = model;
    this.gallery = gallery;
    this.negatives = negatives;
    this.override = await this.overrideOf(model);
    this.d.log.info("gallery loaded", { recognizer: model.id, faces: gallery.size, negatives: negatives.size });
  }

  /** Overrides the decision thresholds of the active recogniser (applied at once, kept in Settings). */
  async setThresholds(t: DecisionThresholds, actor: Actor): Promise<void> {
    const s = await this.recognitionSettings();
    const before = this.thresholds;
    await this.d.settings.set("recognition", { ...s, thresholds: { ...s.thresholds, [this.active.id]: t } }, actor.label);
    this.override = t;
    await this.d.audit.record(actor, "update", "settings", null, { recognizer: this.active.id, thresholds: before }, { recognizer: this.active.id, thresholds: t });
  }

  /** Drops the override: back to the manifest's calibrated thresholds. */
  async resetThresholds(actor: Actor): Promise<void> {
    const s = await this.recognitionSettings();
    const rest = { ...s.thresholds };
    delete rest[this.active.id];
    await this.d.settings.set("recognition", { ...s, thresholds: rest }, actor.label);
    const before = this.thresholds;
    this.override = null;
    await this.d.audit.record(actor, "update", "settings", null, { recognizer: this.active.id, thresholds: before }, { recognizer: this.active.id, thresholds: this.thresholds });
  }

  /** Whether the thresholds in use are the manifest's (true) or a Settings override (false). */
  get thresholdsCalibrated(): boolean {
    return !this.override;
  }

  /**
   * Switches to another recogniser: embeds every stored face crop that has no embedding for it yet
   * (in batches, with progress), then swaps the gallery in one step. Recognition keeps using the old
   * recogniser until then; faces enrolled meanwhile are embedded with both.
   */
  private browserModel: Uint8Array | null = null;
  /**
   * The in-browser face detector (MediaPipe BlazeFace, for webcam enrollment and the kiosk), checked
   * against the manifest's sha256 once, then kept in memory; 404 with what to do when it is missing.
   */
  async browserDetectorModel(): Promise<Uint8Array> {
    if (this.browserModel) return this.browserModel;
    const m = defaultModels().browserDetector;
    const v = await verifyModel(this.d.modelsDir, m);
    if (v.status !== "ok") throw new HttpError(404, `The in-browser face detector ${m.file} is ${v.status} in the models folder; ${m.source ?? "place it there"}`);
    this.browserModel = new Uint8Array(await Bun.file(join(this.d.modelsDir, m.file)).arrayBuffer());
    return this.browserModel;
  }

  /** Throws the reason a switch to this recogniser cannot start now. */
  checkSwitch(id: string): ModelOfRole<"recognizer"> {
    const target = this.d.recognizers.find((r) => r.id === id);
    if (!target) throw new HttpError(422, `Unknown recogniser "${id}"`);
    if (id === this.active.id) throw new HttpError(409, `${id} is already the active recogniser`);
    if (this.switchingTo) throw new HttpError(409, `A switch to ${this.switchingTo} is already running`);
    if (!this.engine().recognizerIds().includes(id)) throw new HttpError(409, `The model ${id} is not available; run \`bun run models\` and restart`);
    return target;
  }

  /** Recognisers the running engine has loaded (none when it is off). */
  engineRecognizers(): string[] {
    return this.d.engine?.recognizerIds() ?? [];
  }

  async switchRecognizer(id: string, actor: Actor, progress: (done: number, total: number) => void = () => {}): Promise<{ recognizer: string; embedded: number; skipped: number }> {
    const target = this.checkSwitch(id);
    const engine = this.engine();
    this.switchingTo = id;
    try {
      const { missing, total } = await this.d.faces.countMissing(id);
      let done = total - missing;
      let embedded = 0;
      const skipped = new Set<number>();
      progress(done, total);
      const embedMissing = async (onBatch: (rows: { faceId: number; personId: number; embedding: Float32Array }[]) => void) => {
        let after = 0;
        for (;;) {
          const batch = await this.d.faces.missingEmbeddings(id, 8, after);
          if (!batch.length) return;
          after = batch.at(-1)!.id;
          const ok: FaceRow[] = [];
          const crops: Uint8Array[] = [];
          for (const f of batch) {
            if (skipped.has(f.id)) continue;
            const crop = await this.d.crops.get(f.cropPath);
            if (crop) {
              ok.push(f);
              crops.push(crop);
            } else {
              skipped.add(f.id);
              this.d.log.warn("face crop missing; the face cannot be re-embedded", { faceId: f.id, cropPath: f.cropPath });
            }
          }
          if (crops.length) {
            const r = await engine.embedCrops(crops, id);
            const rows = ok.map((f, i) => ({ faceId: f.id, personId: f.personId, modelId: id, embedding: r.embeddings[i]! }));
            await this.d.faces.saveEmbeddings(rows);
            embedded += rows.length;
            onBatch(rows);
          }
          done += batch.length;
          progress(Math.min(done, Math.max(total, done)), Math.max(total, done));
        }
      };
      await embedMissing(() => {});
      const { gallery, negatives } = await this.buildGallery(target);
      const override = await this.overrideOf(target);
      const from = this.active.id;
      this.gallery = gallery;
      this.negatives = negatives;
      this.active = target;
      this.override = override;
      // Faces enrolled between the last batch and the swap.
      await embedMissing((rows) => rows.forEach((r) => this.gallery.add(r.faceId, r.personId, r.embedding)));
      const s = await this.recognitionSettings();
      await this.d.settings.set("recognition", { ...s, recognizer: id }, actor.label);
      await this.d.audit.record(actor, "update", "settings", null, { recognizer: from }, { recognizer: id, embedded, skipped: skipped.size });
      this.d.log.info("recogniser switched", { from, to: id, embedded, skipped: skipped.size, gallery: this.gallery.size });
      return { recognizer: id, embedded, skipped: skipped.size };
    } finally {
      this.switchingTo = null;
    }
  }

  status(): EngineStatus {
    return {
      ready: !!this.d.engine,
      reason: this.d.engine ? undefined : this.d.disabledReason,
      recognizer: this.active.id,
      switchingTo: this.switchingTo,
      gallery: this.gallery.size,
      people: this.gallery.people,
      negatives: this.negatives.size,
    };
  }

  private engine(): EnginePool {
    if (!this.d.engine) throw new HttpError(503, `Face recognition is disabled: ${this.d.disabledReason ?? "the engine is not running"}`);
    return this.d.engine;
  }

  /** A stored face crop (decrypted), for serving thumbnails. */
  async cropBytes(personId: number, faceId: number): Promise<Uint8Array> {
    const f = await this.d.faces.get(faceId);
    if (!f || f.personId !== personId) throw new HttpError(404, "No such face");
    const crop = await this.d.crops.get(f.cropPath);
    if (!crop) throw new HttpError(404, "The face photo is missing");
    return crop;
  }

  listFaces(personId: number): Promise<FaceRow[]> {
    return this.d.faces.listForPerson(personId);
  }

  /**
   * Enrolls one photo for a person: exactly one clear, frontal, live, new face, and recorded consent.
   * The aligned crop is kept (to re-embed with another recogniser later) and the gallery is updated
   * in place. Liveness is checked last, so a photo refused as "spoof" passed every other check: an
   * uploaded one (never a webcam capture) may then be accepted by an operator with `acceptSpoof`,
   * which the audit log records as such.
   */
  async enroll(personId: number, image: Uint8Array, actor: Actor, source: "upload" | "webcam" = "upload", opts: { acceptSpoof?: boolean } = {}): Promise<{ id: number; quality: FaceQuality; liveness: number | null }> {
    const person = await this.d.people.get(personId);
    if (!person.consentAt) throw new EnrollRejected("no_consent", `Record ${person.name}'s consent to face recognition before enrolling photos`);
    const existing = this.gallery.countFor(personId);
    if (existing >= this.d.policy.maxFacesPerPerson) throw new EnrollRejected("too_many_faces", `${person.name} already has ${existing} faces; delete some first`);
    const p = this.d.policy;
    const model = this.active;
    const pending = this.switchingTo;
    const r = await this.engine().analyze(image, { recognizer: model.id, liveness: true, crops: true, maxFaces: 10 });
    if (r.faces.length === 0) throw new EnrollRejected("no_face", "No face was found in this photo");
    const largest = Math.max(...r.faces.map((f) => f.quality.faceSize));
    const big = r.faces.filter((f) => f.quality.faceSize >= largest * p.otherFaceRatio);
    if (big.length > 1) throw new EnrollRejected("several_faces", `This photo shows ${big.length} faces; use a photo of ${person.name} alone`);
    const face = r.faces.find((f) => f.quality.faceSize === largest)!;
    const verdict = qualityVerdict(face.quality, p);
    if (!verdict.ok) throw new EnrollRejected(verdict.reason, verdict.message);
    const dup = this.gallery.bestOf(face.embedding, personId);
    if (dup && dup.similarity >= p.duplicateSimilarity) throw new EnrollRejected("near_duplicate", `This photo is almost identical to face ${dup.faceId} already enrolled`);
    const spoof = face.liveness !== null && face.liveness < p.minLiveness[source];
    const accepted = spoof && source === "upload" && !!opts.acceptSpoof;
    if (spoof && !accepted) throw new EnrollRejected("spoof", "This looks like a photo of a photo or of a screen; take the photo of the person directly", source === "upload");

    // While a recogniser switch runs, the new face gets the new recogniser's embedding too.
    const extra = pending ? { modelId: pending, embedding: (await this.engine().embedCrops([face.crop!], pending)).embeddings[0]! } : null;

    const rel = join("faces", String(personId), `${crypto.randomUUID()}.jpg`);
    let row: FaceRow;
    try {
      row = await this.d.files.writeForRow(
        "faces",
        rel,
        () => this.d.crops.put(rel, face.crop!),
        async () => {
          const inserted = await this.d.faces.insert({ personId, cropPath: rel, quality: face.quality, source, modelId: model.id, embedding: face.embedding });
          if (extra) await this.d.faces.saveEmbeddings([{ faceId: inserted.id, ...extra }]);
          return inserted;
        },
      );
    } catch (e) {
      if (isForeignKeyViolation(e)) throw new HttpError(409, `${person.name} was deleted while this photo was being enrolled`);
      throw e;
    }
    // The active recogniser may have changed while this photo was analysed; a person erased meanwhile stays out.
    const current = this.active.id === model.id ? face.embedding : this.active.id === extra?.modelId ? extra.embedding : null;
    if (person.active && current && !this.erased.has(personId)) this.gallery.add(row.id, personId, current);
    await this.d.audit.record(actor, accepted ? "accept_spoof" : "enroll", "face", row.id, null, { personId, source, quality: face.quality, liveness: face.liveness, ...(accepted ? { minLiveness: p.minLiveness[source] } : {}) });
    return { id: row.id, quality: face.quality, liveness: face.liveness };
  }

  async deleteFace(personId: number, faceId: number, actor: Actor): Promise<void> {
    const f = await this.d.faces.get(faceId);
    if (!f || f.personId !== personId) throw new HttpError(404, "No such face");
    const queued = await this.d.faces.delete(faceId);
    this.gallery.removeFace(faceId);
    if (queued) await this.d.files.drain([queued]);
    await this.d.audit.record(actor, "delete", "face", faceId, { personId, cropPath: f.cropPath }, null);
  }

  /** People erased since start: an enrolment that committed just before the erasure must not put them back in the gallery. */
  private readonly erased = new Set<number>();

  /** After a person is erased (rows and queued files are the erasure's): drop them from memory. */
  private forgetPerson(personId: number) {
    this.erased.add(personId);
    this.names.delete(personId);
    this.gallery.removePerson(personId);
    this.negatives.removePerson(personId);
  }

  /** Inactive people are not recognised: take them out of the gallery, and back in when reactivated. */
  private async personChanged(personId: number, wasActive: boolean, isActive: boolean) {
    this.names.delete(personId);
    if (wasActive && !isActive) this.gallery.removePerson(personId);
    if (!wasActive && isActive) for (const e of await this.d.faces.embeddingsOfPerson(personId, this.active.id)) this.gallery.add(e.faceId, personId, e.embedding);
  }

  /**
   * Detects the faces in an image and decides match / unknown / uncertain for each: at most
   * `maxFaces` (default 20), the ones with the best detector scores; `facesFound` counts them all.
   * With `tile`, a large photo is also searched in tiles for small faces (see the engine worker).
   */
  async recognize(image: Uint8Array, opts: { liveness?: boolean; maxFaces?: number; tile?: boolean } = {}): Promise<{ faces: RecognizedFace[]; facesFound: number; timingsMs: Record<string, number> }> {
    const t0 = performance.now();
    const r = await this.engine().analyze(image, { recognizer: this.active.id, liveness: opts.liveness ?? true, maxFaces: opts.maxFaces ?? 20, tile: opts.tile });
    const t1 = performance.now();
    const faces = (await this.decideAll(r.faces)).map((x) => x.face);
    return { faces, facesFound: r.facesFound, timingsMs: { ...r.timingsMs, search: round(performance.now() - t1, 2), total: round(performance.now() - t0, 1) } };
  }

  /**
   * A camera frame (packed RGB): every face big enough, with its decision and embedding (for
   * tracking). Faces overlapping a `reuse` box (an already identified track) are not embedded or
   * decided again: they come back with `reused` set and the caller carries the track's identity over.
   */
  async recognizeFrame(
    frame: { data: Uint8Array; width: number; height: number },
    opts: { liveness: boolean; minFaceSize: number; reuse: [number, number, number, number][] },
  ): Promise<{ faces: { face: RecognizedFace; embedding: Float32Array; reused?: number }[]; tooSmall: number }> {
    const r = await this.engine().analyze(frame.data, { raw: { width: frame.width, height: frame.height }, recognizer: this.active.id, liveness: opts.liveness, maxFaces: 20, minFaceSize: opts.minFaceSize, reuse: opts.reuse });
    const fresh = await this.decideAll(r.faces.filter((f) => f.reused === undefined));
    let k = 0;
    const faces = r.faces.map((f) =>
      f.reused === undefined
        ? fresh[k++]!
        : { face: { box: f.box, landmarks: f.landmarks, detScore: round(f.detScore), liveness: null, quality: f.quality, decision: "unknown" as Decision, match: null, best: null }, embedding: f.embedding, reused: f.reused },
    );
    return { faces, tooSmall: r.tooSmall };
  }

  private async decideAll(found: FaceResult[]): Promise<{ face: RecognizedFace; embedding: Float32Array }[]> {
    const out: { face: RecognizedFace; embedding: Float32Array }[] = [];
    for (const f of found) {
      const candidates = this.gallery.search(f.embedding, 5);
      const d = decide(candidates, { matchThreshold: this.thresholds.match, unknownThreshold: this.thresholds.unknown, margin: this.thresholds.margin, vetoed: (pid) => this.negatives.blocks(f.embedding, pid, NEGATIVE_SIMILARITY) });
      // A person erased while this image was analysed is no match (their name is gone).
      const name = d.decision === "match" && d.personId !== null ? await this.nameOf(d.personId).catch((e) => (e instanceof HttpError && e.status === 404 ? null : Promise.reject(e))) : null;
      const match = name !== null && d.personId !== null ? { personId: d.personId, name, similarity: round(d.similarity) } : null;
      out.push({
        face: {
          box: f.box,
          landmarks: f.landmarks.map(([x, y]) => [round(x, 1), round(y, 1)]),
          detScore: round(f.detScore),
          liveness: f.liveness === null ? null : round(f.liveness),
          quality: f.quality,
          decision: d.decision === "match" && !match ? "unknown" : d.decision,
          match,
          best: d.personId !== null ? { personId: d.personId, similarity: round(d.similarity) } : null,
        },
        embedding: f.embedding,
      });
    }
    return out;
  }

  private readonly names = new Map<number, string>();
  /** Display name of a person (cached; camera frames ask many times a second). */
  async nameOf(personId: number): Promise<string> {
    let n = this.names.get(personId);
    if (n === undefined) {
      n = (await this.d.people.get(personId)).name;
      this.names.set(personId, n);
    }
    return n;
  }

  /**
   * "Not this person": the face in this image is not `personId`. Its embedding is stored as a
   * negative example, which from now on vetoes that person for similar faces.
   */
  async markNotPerson(personId: number, image: Uint8Array, actor: Actor): Promise<{ id: number }> {
    await this.d.people.get(personId);
    const engine = this.engine();
    const model = this.active;
    const r = await engine.analyze(image, { recognizer: model.id, maxFaces: 10, crops: true });
    if (r.faces.length !== 1) throw new EnrollRejected(r.faces.length ? "several_faces" : "no_face", r.faces.length ? "Send an image with exactly one face" : "No face was found in this image");
    const face = r.faces[0]!;
    let id: number;
    try {
      id = await this.d.faces.insertNegative({ personId, modelId: model.id, embedding: face.embedding, createdBy: actor.label });
      // Negative examples keep no photo, so they are embedded with every loaded recogniser now: they
      // keep working after a switch.
      for (const other of engine.recognizerIds().filter((x) => x !== model.id)) {
        const e = (await engine.embedCrops([face.crop!], other)).embeddings[0]!;
        await this.d.faces.insertNegative({ personId, modelId: other, embedding: e, createdBy: actor.label });
      }
    } catch (e) {
      if (isForeignKeyViolation(e)) throw new HttpError(409, `Person ${personId} was deleted meanwhile`);
      throw e;
    }
    if (this.active.id === model.id && !this.erased.has(personId)) this.negatives.add(id, personId, face.embedding);
    await this.d.audit.record(actor, "not_this_person", "person", personId, null, { negativeId: id });
    return { id };
  }
}

function round(v: number, d = 4) {
  return Math.round(v * 10 ** d) / 10 ** d;
}
