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
            <h1>Pair this kiosk</h1>
            <p class="kiosk-error" role="alert" />
            <ol class="kiosk-steps">
              <li>An admin adds this kiosk on the Kiosks page (Settings → Kiosks).</li>
              <li>Scan the pairing code shown there with this tablet's camera, or open the pairing link here.</li>
            </ol>
            <label for="kiosk-code">Or paste the pairing link</label>
            <input id="kiosk-code" name="code" type="text" autocomplete="off" spellcheck={false} required />
            <button type="submit">Pair</button>
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
