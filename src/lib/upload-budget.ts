// Admission of request bodies by the memory budget (src/lib/memory-budget.ts), before they are read:
// a body with a Content-Length reserves that many bytes up front, a chunked one reserves its bytes as
// they stream in. When the budget is full the request gets 503 with Retry-After at once (an HttpError,
// answered by the app's error handler as JSON or a page); the bytes are given back when the request
// ends, however it ends (answered, failed, or aborted by the client).
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";
import { HttpError } from "./http";

const RETRY_AFTER_SECONDS = 2;
const MESSAGE = "The server is busy receiving other uploads; try again in a few seconds";

function busy(c: Context<AppEnv>): HttpError {
  c.header("Retry-After", String(RETRY_AFTER_SECONDS));
  return new HttpError(503, MESSAGE);
}

/** Every request body passes here; register it before anything reads or buffers bodies. */
export function uploadBudget(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const { services, config } = c.get("deps");
    const raw = c.req.raw;
    if (!raw.body) return next();
    const held = services.memory.open();
    try {
      const declared = raw.headers.has("transfer-encoding") ? null : raw.headers.get("content-length");
      if (declared !== null && /^\d{1,15}$/.test(declared)) {
        const bytes = Number(declared);
        // Over MAX_BODY_BYTES: the body limit answers 413 without reading it.
        if (bytes > config.MAX_BODY_BYTES) return await next();
        if (!held.tryAdd(bytes)) throw busy(c);
        return await next();
      }
      let overBudget = false;
      const source = raw.body.getReader();
      const counted = new ReadableStream<Uint8Array>({
        async pull(out) {
          let chunk: Awaited<ReturnType<typeof source.read>>;
          try {
            chunk = await source.read();
          } catch {
            return out.error(new HttpError(400, "The request body broke off before its end"));
          }
          if (chunk.done) return out.close();
          if (held.tryAdd(chunk.value.byteLength)) return out.enqueue(chunk.value);
          overBudget = true;
          out.error(new HttpError(503, MESSAGE));
          await source.cancel();
        },
        cancel: (reason) => source.cancel(reason),
      });
      c.req.raw = new Request(raw, { body: counted, duplex: "half" } as RequestInit);
      await next();
      // Whatever the handler made of the broken body, the answer is the budget's.
      if (overBudget) throw busy(c);
    } finally {
      held.release();
    }
  };
}
