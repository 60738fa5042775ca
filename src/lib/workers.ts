/**
 * Where a worker script is: next to the sources, or — inside the compiled binary — under the path
 * the bundler embedded it at (scripts/build.ts adds every workers/*.worker.ts as an entry point).
 */
export function workerUrl(file: string): string | URL {
  return (globalThis as { __clockfaceCompiled?: boolean }).__clockfaceCompiled ? `./workers/${file}` : new URL(`../../workers/${file}`, import.meta.url);
}
