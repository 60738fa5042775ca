import type { AppDeps } from "../app-env";
import { registerAdminRoutes } from "./admin";
import { registerFaceApi } from "./api-faces";
import { registerPeopleApi } from "./api-people";
import { registerAuthRoutes } from "./auth";
import { Api } from "./openapi";
import { registerRecognitionRoutes } from "./recognition";
import { registerCameraRoutes } from "./cameras";
import { registerReviewRoutes } from "./review";
import { registerSseRoutes } from "./sse";
import { registerWebcamRoutes } from "./webcam";
import { registerKioskRoutes } from "./kiosk";
import { registerPeopleRoutes } from "./people";
import { registerPersonPickerRoutes } from "./person-picker";
import { registerAttendanceRoutes } from "./attendance";
import { registerAttendanceApi } from "./api-attendance";
import { registerReportRoutes } from "./reports";
import type { Router } from "./router";
import { registerSystemRoutes } from "./system";

/** Every route module registers here with the access level of each route. */
export function registerRoutes(r: Router, deps: AppDeps) {
  registerSystemRoutes(r, deps);
  registerAuthRoutes(r, deps);
  registerPersonPickerRoutes(r, deps);
  registerPeopleRoutes(r, deps);
  const api = new Api(r);
  const recognition = registerRecognitionRoutes(r, api, deps);
  registerAdminRoutes(r, deps, recognition.sections);
  registerPeopleApi(api, deps);
  registerFaceApi(api, deps);
  registerAttendanceRoutes(r, deps);
  registerAttendanceApi(api, deps);
  registerReportRoutes(r, api, deps);
  registerCameraRoutes(r, api, deps);
  registerSseRoutes(r, api, deps);
  registerReviewRoutes(r, deps);
  registerWebcamRoutes(r, deps);
  registerKioskRoutes(r, api, deps);
  const doc = api.document(process.env.npm_package_version ?? "0.1.0");
  r.get("/api/v1/openapi.json", "public", (c) => c.json(doc));
}
