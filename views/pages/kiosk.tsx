import type { Child } from "hono/jsx";

/** The kiosk: a full-screen page for a tablet at the entrance (public/js/kiosk.js does the work). */
export function KioskPage(): Child {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>Clockface kiosk</title>
        <link rel="icon" href="/assets/favicon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href="/assets/css/app.css" />
      </head>
      <body class="kiosk">
        <main id="kiosk">
          <form class="kiosk-setup" hidden>
            <h1>Set up this kiosk</h1>
            <p>Paste an API key with the operator role (Settings → API keys). It stays on this device only.</p>
            <input name="key" type="password" autocomplete="off" aria-label="API key" required />
            <button type="submit">Start</button>
            <p class="kiosk-error" role="alert" />
          </form>
          <div class="kiosk-live" hidden>
            <div class="webcam">
              <video playsinline muted />
              <canvas class="overlay" />
            </div>
            <p class="kiosk-message" role="status" aria-live="assertive">
              Starting…
            </p>
            <p class="kiosk-clock" />
          </div>
        </main>
        <script type="module" src="/assets/js/kiosk.js" />
      </body>
    </html>
  );
}
