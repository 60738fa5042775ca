import { Panel } from "../layout";

/** Webcam enrollment: the video, guidance, and the server's answer for each captured photo (public/js/webcam-enroll.js). */
export function WebcamEnrollPage({ personId, name, consent }: { personId: number; name: string; consent: boolean }) {
  return (
    <Panel title={`Enroll ${name} with the webcam`}>
      {!consent ? (
        <p class="flash bad" role="alert">
          Record {name}'s consent on <a href={`/people/${personId}`}>their page</a> before enrolling their face.
        </p>
      ) : (
        <div id="webcam-enroll" data-person={String(personId)} data-want="5">
          <div class="webcam">
            <video playsinline muted />
            <canvas class="overlay" />
          </div>
          <p class="guide" role="status" aria-live="polite">
            Starting the camera…
          </p>
          <p>
            Enrolled: <span class="count">0 of 5</span>
          </p>
          <ol class="results" />
          <p>
            <a class="btn secondary" href={`/people/${personId}`}>
              Back to {name}
            </a>
          </p>
          <script type="module" src="/assets/js/webcam-enroll.js" />
        </div>
      )}
    </Panel>
  );
}
