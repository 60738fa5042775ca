// The unknown-faces review queue: groups of similar unknown (or uncertain) camera faces that an
// operator enrols as a new person, assigns to an existing person, or dismisses.
import type { Actor, AuditService } from "../db/repos/audit";
import type { CamerasRepo, UnknownFaceRow } from "../db/repos/cameras";
import { HttpError } from "../lib/http";
import type { FaceService } from "./faces";
import type { MediaStore } from "./media";
import type { PeopleService } from "./people";
import type { PersonCreate } from "./schemas";
import type { SightingService } from "./sightings";

/** At most this many of a group's crops are enrolled (the person page allows more later). */
const ENROLL_PER_GROUP = 5;

export interface ReviewOutcome {
  personId: number;
  enrolled: number;
  rejected: { unknownId: number; reason: string }[];
}

export class ReviewService {
  constructor(private readonly d: { repo: CamerasRepo; faces: FaceService; people: PeopleService; sightings: SightingService; media: MediaStore; audit: AuditService }) {}

  async groups(limit: number, offset: number) {
    const [groups, total] = await Promise.all([this.d.repo.openGroups(limit, offset), this.d.repo.countOpenGroups()]);
    const names = new Map<number, string>();
    for (const g of groups) if (g.personId !== null && !names.has(g.personId)) names.set(g.personId, await this.d.faces.nameOf(g.personId).catch(() => `#${g.personId}`));
    return { groups: groups.map((g) => ({ ...g, candidate: g.personId !== null ? names.get(g.personId)! : null })), total };
  }

  /** Assigns to the person the operator picked or typed (name or employee code). */
  async assignPicked(groupId: number, text: string, pickedId: string | undefined, actor: Actor): Promise<ReviewOutcome> {
    const p = await this.d.people.resolveOrFail(text, pickedId, "person");
    return this.assign(groupId, p.id, actor);
  }

  private async open(groupId: number): Promise<UnknownFaceRow[]> {
    const faces = await this.d.repo.groupFaces(groupId);
    if (!faces.length) throw new HttpError(404, "This group is no longer open (already handled, or purged)");
    return faces;
  }

  /** Enrols up to five of the group's crops for a person; each is accepted or rejected with the reason. */
  private async enrollCrops(personId: number, faces: UnknownFaceRow[], actor: Actor): Promise<ReviewOutcome> {
    const out: ReviewOutcome = { personId, enrolled: 0, rejected: [] };
    for (const f of faces.slice(0, ENROLL_PER_GROUP)) {
      const photo = await this.d.media.get(f.cropPath);
      if (!photo) {
        out.rejected.push({ unknownId: f.id, reason: "the photo was purged" });
        continue;
      }
      try {
        await this.d.faces.enroll(personId, photo, actor, "upload");
        out.enrolled++;
      } catch (e) {
        if (!(e instanceof HttpError)) throw e;
        out.rejected.push({ unknownId: f.id, reason: e.message });
      }
    }
    return out;
  }

  /** Creates a person (consent recorded by the operator) and enrols the group's faces. */
  async enrollAsNew(groupId: number, person: PersonCreate, actor: Actor): Promise<ReviewOutcome> {
    const faces = await this.open(groupId);
    if (!person.consent) throw new HttpError(422, "Record the person's consent before enrolling their face", { fields: { consent: "Consent is needed to enrol a face" } });
    const p = await this.d.people.create(person, actor);
    const out = await this.enrollCrops(p.id, faces, actor);
    await this.d.repo.setGroupStatus(groupId, "enrolled", p.id);
    this.d.sightings.invalidateGroups();
    await this.d.audit.record(actor, "enroll_group", "unknown_faces", groupId, null, { personId: p.id, enrolled: out.enrolled, rejected: out.rejected.length });
    return out;
  }

  /** Adds the group's faces to an existing person (who must have consent on record). */
  async assign(groupId: number, personId: number, actor: Actor): Promise<ReviewOutcome> {
    const faces = await this.open(groupId);
    const person = await this.d.people.get(personId);
    if (!person.consentAt) throw new HttpError(422, `Record ${person.name}'s consent first (on their page)`, { fields: { personId: "This person has no recorded consent" } });
    const out = await this.enrollCrops(personId, faces, actor);
    await this.d.repo.setGroupStatus(groupId, "assigned", personId);
    this.d.sightings.invalidateGroups();
    await this.d.audit.record(actor, "assign_group", "unknown_faces", groupId, null, { personId, enrolled: out.enrolled, rejected: out.rejected.length });
    return out;
  }

  async dismiss(groupId: number, actor: Actor): Promise<number> {
    await this.open(groupId);
    const n = await this.d.repo.setGroupStatus(groupId, "dismissed", null);
    this.d.sightings.invalidateGroups();
    await this.d.audit.record(actor, "dismiss_group", "unknown_faces", groupId, null, { faces: n });
    return n;
  }
}
