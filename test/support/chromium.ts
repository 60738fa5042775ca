import { needChromium } from "./needs";

/** Flags for Debian's Chromium in tests (headless, root, no network chatter). */
export const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];
export const CHROMIUM_PATH = needChromium();
