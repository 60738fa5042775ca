/** Attendance rules: schedules, attribution of events to days, daily status, dashboard series. */
export * from "./schedule";
export * from "./window";
export * from "./daily";
export * from "./histogram";
