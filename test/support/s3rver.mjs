// A real fake S3 server (s3rver) for the storage tests, run under Node: s3rver encrypts list
// continuation tokens with DES, which Bun's crypto does not offer (Node needs its legacy provider).
// Usage: node --openssl-legacy-provider s3rver.mjs DIR BUCKET...; prints {"port":N} once listening
// and stops when its standard input closes.
import S3rver from "s3rver";

const [directory, ...buckets] = process.argv.slice(2);
const server = new S3rver({ address: "127.0.0.1", port: 0, directory, silent: true, configureBuckets: buckets.map((name) => ({ name })) });
const { port } = await server.run();
process.stdout.write(`${JSON.stringify({ port })}\n`);
process.stdin.on("end", () => server.close().then(() => process.exit(0)));
process.stdin.resume();
