import { z } from "zod";
import { PICK_PATH, type PickerConfig, PersonPicker, PersonPickResults } from "../../views/partials/person-picker";
import type { AppDeps } from "../app-env";
import { HttpError } from "../lib/http";
import type { Router } from "./router";

const pickerConfigSchema: z.ZodType<PickerConfig> = z.object({
  id: z.string().regex(/^[A-Za-z][\w-]{0,63}$/),
  label: z.string().max(120),
  name: z.string().regex(/^[A-Za-z]\w{0,31}$/),
  required: z.boolean().optional(),
  placeholder: z.string().max(60).optional(),
});

function parseConfig(raw: string | undefined): PickerConfig {
  let json: unknown;
  try {
    json = JSON.parse(raw ?? "");
  } catch {
    throw new HttpError(400, "This search belongs to a person field; open the form again");
  }
  const r = pickerConfigSchema.safeParse(json);
  if (!r.success) throw new HttpError(400, "This search belongs to a person field; open the form again");
  return r.data;
}

/**
 * The person picker's fragments: `?pick=<config>&<field>=<text>` lists the people matching the text;
 * `?pick=<config>&choose=<id>` renders the picker with that person chosen.
 */
export function registerPersonPickerRoutes(r: Router, deps: AppDeps) {
  const { people } = deps.services;
  r.get(PICK_PATH, "viewer", async (c) => {
    const config = parseConfig(c.req.query("pick"));
    const choose = c.req.query("choose");
    if (choose !== undefined) {
      if (!/^\d{1,9}$/.test(choose)) throw new HttpError(404, "That person does not exist");
      const p = await people.get(Number(choose));
      return c.html(<PersonPicker {...config} value={p.name} personId={p.id} />);
    }
    const q = (c.req.query(config.name) ?? "").slice(0, 200);
    const found = await people.pickSearch(q);
    return c.html(<PersonPickResults config={config} q={q} people={found.people} more={found.more} />);
  });
}
