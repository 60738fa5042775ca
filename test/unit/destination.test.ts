// The pure destination rules (src/domain/destination.ts), the camera failure wording
// (src/domain/camera-errors.ts), and the resolving check of src/lib/destination.ts.
import { describe, expect, test } from "bun:test";
import { CAMERA_PROBLEM, ffmpegProblem, looksLikeImage, statusProblem } from "../../src/domain/camera-errors";
import { checkHost, checkResolvedAddress, classifyAddress, parseIPv4, parseIPv6, type DestinationRules } from "../../src/domain/destination";
import { checkDestination, checkDestinationToSave, DestinationRefused, DestinationUnresolved } from "../../src/lib/destination";

const camera: DestinationRules = { purpose: "camera" };
const webhook: DestinationRules = { purpose: "webhook" };
const webhookLoopbackAllowed: DestinationRules = { purpose: "webhook", allowLoopback: true };

describe("parseIPv4 reads every form inet_aton accepts", () => {
  test.each([
    ["169.254.169.254", [169, 254, 169, 254]],
    ["2852039166", [169, 254, 169, 254]],
    ["0xa9fea9fe", [169, 254, 169, 254]],
    ["0XA9FEA9FE", [169, 254, 169, 254]],
    ["0251.0376.0251.0376", [169, 254, 169, 254]],
    ["0xa9.0xfe.0xa9.0xfe", [169, 254, 169, 254]],
    ["169.254.43518", [169, 254, 169, 254]],
    ["169.16689662", [169, 254, 169, 254]],
    ["127.1", [127, 0, 0, 1]],
    ["0", [0, 0, 0, 0]],
    ["127.0.0.1.", [127, 0, 0, 1]],
  ] as const)("%s", (s, bytes) => {
    expect(parseIPv4(s)).toEqual([...bytes]);
  });

  test.each(["256.0.0.1", "1.2.3.4.5", "4294967296", "08.1.1.1", "cam.example", "1.2.3.x", "", "169.254.65536"])("not %p", (s) => {
    expect(parseIPv4(s)).toBeNull();
  });
});

describe("parseIPv6", () => {
  test.each([
    ["::1", [...Array(15).fill(0), 1]],
    ["[::1]", [...Array(15).fill(0), 1]],
    ["::", Array(16).fill(0)],
    ["fe80::1%eth0", [0xfe, 0x80, ...Array(13).fill(0), 1]],
    ["::ffff:169.254.169.254", [...Array(10).fill(0), 0xff, 0xff, 169, 254, 169, 254]],
    ["::ffff:a9fe:a9fe", [...Array(10).fill(0), 0xff, 0xff, 169, 254, 169, 254]],
    ["fd00:ec2::254", [0xfd, 0, 0x0e, 0xc2, ...Array(10).fill(0), 0x02, 0x54]],
    ["1:2:3:4:5:6:7:8", [0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8]],
  ] as const)("%s", (s, bytes) => {
    expect(parseIPv6(s)).toEqual([...bytes]);
  });

  test.each(["1:2:3:4:5:6:7:8:9", "1::2::3", "12345::", "::ffff:300.1.1.1", "g::1", "1.2.3.4", "cam.example", "1:2:3:4:5:6:7"])("not %p", (s) => {
    expect(parseIPv6(s)).toBeNull();
  });
});

describe("classifyAddress", () => {
  test.each([
    ["127.0.0.1", "loopback"],
    ["127.255.0.9", "loopback"],
    ["0.0.0.0", "loopback"],
    ["::1", "loopback"],
    ["::", "loopback"],
    ["::ffff:127.0.0.1", "loopback"],
    ["169.254.169.254", "link-local"],
    ["169.254.0.1", "link-local"],
    ["2852039166", "link-local"],
    ["fe80::1", "link-local"],
    ["febf:ffff::1", "link-local"],
    ["::ffff:169.254.1.1", "link-local"],
    ["::169.254.1.1", "link-local"],
    ["64:ff9b::a9fe:a9fe", "link-local"],
    ["fd00:ec2::254", "metadata"],
    ["100.100.100.200", "metadata"],
    ["10.0.0.5", "other"],
    ["192.168.1.20", "other"],
    ["169.253.255.255", "other"],
    ["169.255.0.1", "other"],
    ["100.100.100.201", "other"],
    ["fec0::1", "other"],
    ["fd00:ec2::253", "other"],
    ["64:ff9b::7f00:1", "other"],
    ["2001:db8::1", "other"],
  ] as const)("%s is %s", (address, cls) => {
    expect(classifyAddress(address)).toBe(cls);
  });

  test("a name is not an address", () => {
    expect(classifyAddress("cam.example")).toBeNull();
  });
});

describe("checkHost and checkResolvedAddress: cameras allow loopback, webhooks only when allowed", () => {
  test.each(["127.0.0.1", "::1", "localhost", "cam.localhost", "0.0.0.0"])("loopback %s", (host) => {
    expect(checkHost(host, camera)).toEqual({ ok: true });
    expect(checkHost(host, webhookLoopbackAllowed)).toEqual({ ok: true });
    const refused = checkHost(host, webhook);
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.message).toContain("loopback");
  });

  test.each(["169.254.169.254", "2852039166", "fe80::1", "::ffff:169.254.169.254", "fd00:ec2::254", "100.100.100.200", "metadata.google.internal", "metadata.goog", "metadata"])("%s is refused for every purpose", (host) => {
    for (const rules of [camera, webhook, webhookLoopbackAllowed]) expect(checkHost(host, rules).ok).toBe(false);
  });

  test.each(["10.0.0.5", "cam.example", "2001:db8::1", "192.168.1.20"])("%s is allowed for every purpose", (host) => {
    for (const rules of [camera, webhook]) expect(checkHost(host, rules)).toEqual({ ok: true });
  });

  test("resolved addresses: the name and the address are named in the refusal", () => {
    expect(checkResolvedAddress("cam.example", "10.1.2.3", camera)).toEqual({ ok: true });
    expect(checkResolvedAddress("cam.example", "127.0.0.1", camera)).toEqual({ ok: true });
    expect(checkResolvedAddress("rebind.example", "169.254.169.254", camera)).toEqual({ ok: false, message: "rebind.example resolves to 169.254.169.254, a link-local address; link-local and cloud metadata addresses are not allowed." });
    expect(checkResolvedAddress("hook.example", "::1", webhook)).toEqual({ ok: false, message: "hook.example resolves to ::1, this server itself (loopback), which is not allowed for webhooks." });
    expect(checkResolvedAddress("hook.example", "::1", webhookLoopbackAllowed)).toEqual({ ok: true });
    expect(checkResolvedAddress("odd.example", "not-an-address", camera).ok).toBe(false);
  });
});

describe("checkDestination resolves the name", () => {
  test("loopback names are checked by what they resolve to; unresolvable names are not refused at save", async () => {
    await checkDestination(new URL("rtsp://localhost:8554/door"), camera);
    await expect(checkDestination(new URL("http://localhost:9/hook"), webhook)).rejects.toBeInstanceOf(DestinationRefused);
    await expect(checkDestination(new URL("http://[::ffff:a9fe:a9fe]/"), camera)).rejects.toBeInstanceOf(DestinationRefused);
    await expect(checkDestination(new URL("rtsp://no-such-camera.invalid/live"), camera)).rejects.toBeInstanceOf(DestinationUnresolved);
    expect(await checkDestinationToSave(new URL("rtsp://no-such-camera.invalid/live"), camera)).toEqual({ ok: true });
    expect(await checkDestinationToSave(new URL("rtsp://2852039166/live"), camera)).toEqual({ ok: false, message: expect.stringContaining("link-local") });
  });
});

describe("camera failures are worded without port states", () => {
  test.each([
    ["rtsp://127.0.0.1:9/x: Connection refused", "rtsp", CAMERA_PROBLEM.connect],
    ["Connection reset by peer", "rtsp", CAMERA_PROBLEM.connect],
    ["Invalid data found when processing input", "rtsp", CAMERA_PROBLEM.connect],
    ["End of file", "mjpeg", CAMERA_PROBLEM.connect],
    ["Input/output error", "rtsp", CAMERA_PROBLEM.connect],
    ["No route to host", "rtsp", CAMERA_PROBLEM.connect],
    ["Invalid data found when processing input", "mjpeg", CAMERA_PROBLEM.notVideo],
    ["Connection timed out", "rtsp", CAMERA_PROBLEM.timeout],
    ["method DESCRIBE failed: 401 Unauthorized", "rtsp", CAMERA_PROBLEM.auth],
    ["method DESCRIBE failed: 404 Not Found", "rtsp", CAMERA_PROBLEM.notFound],
    ["method SETUP failed: 461 Unsupported transport", "rtsp", "the camera answered 461"],
    ["Server returned 401 Unauthorized (authorization failed)", "mjpeg", CAMERA_PROBLEM.auth],
    ["Server returned 404 Not Found", "mjpeg", CAMERA_PROBLEM.notFound],
    ["Server returned 5XX Server Error reply", "mjpeg", "the camera answered 5xx"],
    ["Stream map '0:v:0' matches no streams.", "rtsp", CAMERA_PROBLEM.notVideo],
  ] as const)("%s (%s)", (text, kind, message) => {
    expect(ffmpegProblem(text, kind)).toBe(message);
  });

  test("no text is 'could not connect'; statuses", () => {
    expect(ffmpegProblem(null, "rtsp")).toBe(CAMERA_PROBLEM.connect);
    expect(statusProblem(401)).toBe("401 wrong user or password");
    expect(statusProblem(404)).toBe("404 no such stream");
    expect(statusProblem(403)).toStartWith("403 access denied");
    expect(statusProblem(500)).toBe("the camera answered 500");
  });

  test("looksLikeImage: JPEG, PNG and WebP only", () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    expect(looksLikeImage(new Uint8Array([0xff, 0xd8, 0xff, 0xe0]))).toBe(true);
    expect(looksLikeImage(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]))).toBe(true);
    expect(looksLikeImage(enc("RIFF\0\0\0\0WEBPVP8 "))).toBe(true);
    for (const s of ["<html></html>", '<svg xmlns="http://www.w3.org/2000/svg"/>', '{"AccessKeyId":"x"}', "GIF89a", "", "\xff\xd8"]) expect(looksLikeImage(enc(s))).toBe(false);
  });
});
