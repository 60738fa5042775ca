// The facescrub sample in ../shared/faces/facescrub: identities, clean pairs, file paths.
import { join, resolve } from "node:path";

export const FACESCRUB = resolve(import.meta.dir, "../../../shared/faces/facescrub");

export interface Photo {
  aligned: string;
  cropped: string;
  identity: string;
  suspect: boolean;
}

const rows = async (file: string) =>
  (await Bun.file(join(FACESCRUB, file)).text())
    .split(/\r?\n/)
    .filter(Boolean)
    .slice(1)
    .map((l) => l.split(","));

export async function loadFacescrub(): Promise<{ photos: Photo[]; pairs: { a: string; b: string; same: boolean }[] }> {
  const photos = (await rows("identities.csv")).map(([aligned, cropped, identity, , suspect]) => ({ aligned: aligned!, cropped: cropped!, identity: identity!, suspect: suspect === "1" }));
  const pairs = (await rows("pairs_clean.csv")).map(([a, b, same]) => ({ a: a!, b: b!, same: same === "1" }));
  return { photos, pairs };
}

export const alignedPath = (f: string) => join(FACESCRUB, "aligned_112", f);
export const croppedPath = (f: string) => join(FACESCRUB, "cropped", f);
