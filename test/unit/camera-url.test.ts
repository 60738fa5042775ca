import { describe, expect, test } from "bun:test";
import { MAX_CAMERA_URL_LENGTH, maskUrl, maskUrlsInText, parseCameraUrl } from "../../src/domain/camera-url";

const noFiles = { allowFiles: false };
const files = { allowFiles: true };

function refused(raw: string, opts = noFiles): string {
  const r = parseCameraUrl(raw, opts);
  if (r.ok) throw new Error(`accepted ${JSON.stringify(raw)}`);
  return r.message;
}

describe("parseCameraUrl accepts", () => {
  test.each([
    ["rtsp://admin:s3cret@10.0.0.5:554/Streaming/Channels/101", "rtsp"],
    ["rtsps://cam.example.com/live", "rtsp"],
    ["RTSP://10.0.0.5/h264", "rtsp"],
    ["rtsp://[2001:db8::5]:8554/cam", "rtsp"],
    // A restreamer (go2rtc, MediaMTX) on this machine is a normal camera.
    ["rtsp://127.0.0.1:8554/door", "rtsp"],
    ["rtsp://localhost:8554/door", "rtsp"],
    ["rtsp://[::1]:8554/door", "rtsp"],
    ["http://127.0.0.1:1984/api/frame.jpeg?src=door", "snapshot"],
    ["http://10.0.0.7/video.mjpg", "mjpeg"],
    ["https://cam.local/axis-cgi/mjpg/video.cgi?resolution=640x480", "mjpeg"],
    ["http://10.0.0.7/snapshot.jpg", "snapshot"],
    ["http://10.0.0.7/tmpfs/auto.JPEG", "snapshot"],
    ["http://10.0.0.7/snap.jpg?channel=1", "snapshot"],
  ] as const)("%s as %s", (raw, kind) => {
    expect(parseCameraUrl(raw, noFiles)).toEqual({ ok: true, kind, url: expect.any(String) });
  });

  test("the returned URL is normalised but keeps host, port, path and credentials", () => {
    const r = parseCameraUrl("rtsp://admin:s3cret@10.0.0.5:554/Streaming/Channels/101", noFiles);
    expect(r).toEqual({ ok: true, kind: "rtsp", url: "rtsp://admin:s3cret@10.0.0.5:554/Streaming/Channels/101" });
    expect(parseCameraUrl("HTTP://Cam.Local", noFiles)).toEqual({ ok: true, kind: "mjpeg", url: "http://cam.local/" });
  });

  test("an '@' inside the password splits at the last '@' and is encoded", () => {
    expect(parseCameraUrl("rtsp://admin:p@ss@10.0.0.5/live", noFiles)).toEqual({ ok: true, kind: "rtsp", url: "rtsp://admin:p%40ss@10.0.0.5/live" });
  });

  test("the httpKind hint overrides the .jpg rule both ways", () => {
    expect(parseCameraUrl("http://cam/ISAPI/Streaming/channels/101/picture", { allowFiles: false, httpKind: "snapshot" })).toMatchObject({ ok: true, kind: "snapshot" });
    expect(parseCameraUrl("http://cam/stream.jpg", { allowFiles: false, httpKind: "mjpeg" })).toMatchObject({ ok: true, kind: "mjpeg" });
    expect(parseCameraUrl("rtsp://cam/x.jpg", { allowFiles: false, httpKind: "snapshot" })).toMatchObject({ ok: true, kind: "rtsp" });
  });

  test("file:// only when allowed, with an absolute path and no '..'", () => {
    expect(parseCameraUrl("file:///srv/demo/door.mp4", files)).toEqual({ ok: true, kind: "file", url: "file:///srv/demo/door.mp4" });
    expect(parseCameraUrl("file://localhost/srv/demo/front%20door.mp4", files)).toEqual({ ok: true, kind: "file", url: "file:///srv/demo/front%20door.mp4" });
    expect(parseCameraUrl("file:///srv/demo..v2/door.mp4", files)).toMatchObject({ ok: true, kind: "file" });
  });
});

describe("parseCameraUrl refuses", () => {
  test("empty and non-string input", () => {
    expect(refused("")).toBe("Camera URL is empty.");
    expect(parseCameraUrl(undefined as unknown as string, noFiles)).toEqual({ ok: false, message: "Camera URL is empty." });
  });

  test("other schemes, naming the scheme and the allowed ones", () => {
    expect(refused("ftp://cam/x")).toBe("Unsupported scheme 'ftp:'; use rtsp://, rtsps://, http:// or https://.");
    expect(refused("javascript://alert(1)")).toContain("'javascript:'");
    expect(refused("rtmp://cam/live", files)).toBe("Unsupported scheme 'rtmp:'; use rtsp://, rtsps://, http://, https:// or file://.");
    expect(refused("10.0.0.5/live")).toContain("no scheme");
    expect(refused("rtsp:10.0.0.5/live")).toContain("needs '//' after 'rtsp:'");
  });

  test("file:// when files are not allowed", () => {
    expect(refused("file:///srv/demo/door.mp4")).toBe("file:// camera sources are not allowed on this server.");
  });

  test("a missing host", () => {
    expect(refused("rtsp:///live")).toBe("Camera URL has no host.");
    expect(refused("http:///snap.jpg")).toBe("Camera URL has no host.");
    expect(refused("rtsp://admin:pw@/live")).toBe("Camera URL has no host.");
    expect(refused("rtsp://:554/live")).toBe("Camera URL has no host.");
  });

  test("an invalid port", () => {
    expect(refused("rtsp://10.0.0.5:99999/live")).toContain("not a valid URL");
    expect(refused("rtsp://10.0.0.5:port/live")).toContain("not a valid URL");
  });

  test.each([
    ["rtsp://10.0.0.5/live stream", "a space"],
    ["rtsp://10.0.0.5/live\tstream", "a tab"],
    ["rtsp://10.0.0.5/live\n", "a line break"],
    ["rtsp://10.0.0.5/live\r\nX-Injected: 1", "a line break"],
    ["rtsp://10.0.0.5/li\u0000ve", "a control character (code 0)"],
    ["rtsp://10.0.0.5/li\u007fve", "a control character (code 127)"],
    ["rtsp://10.0.0.5/li\u00a0ve", "a space character (U+00A0)"],
  ])("%j (names %s)", (raw, what) => {
    expect(refused(raw)).toContain(`contains ${what}`);
  });

  test.each([";", "|", "&", "`", "$", "<", ">"])("the shell character %s anywhere", (c) => {
    expect(refused(`rtsp://10.0.0.5/live${c}id`)).toBe(`Camera URL contains the character '${c}', which is not allowed in camera URLs.`);
    expect(refused(`rtsp://user:pa${c}ss@10.0.0.5/live`)).toContain(`'${c}'`);
    if (c !== "&") expect(refused(`http://10.0.0.5/snap.jpg?a=1${c}b=2`)).toContain(`'${c}'`);
  });

  test("'&' separates query parameters of real cameras, so it is allowed there (and only there)", () => {
    expect(parseCameraUrl("rtsp://admin:pw@10.0.0.5:554/cam/realmonitor?channel=1&subtype=0", { allowFiles: false })).toMatchObject({ ok: true, kind: "rtsp" });
    expect(parseCameraUrl("http://10.0.0.7/cgi-bin/CGIProxy.fcgi?cmd=snapPicture2&usr=a&pwd=b", { allowFiles: false, httpKind: "snapshot" })).toMatchObject({ ok: true, kind: "snapshot" });
    expect(refused("rtsp://10.0.0.5/a&b?x=1")).toContain("'&'");
  });

  test("command injection attempts", () => {
    expect(refused("rtsp://10.0.0.5/x;touch /tmp/pwned")).toContain("';'");
    expect(refused("rtsp://10.0.0.5/$(reboot)")).toContain("'$'");
    expect(refused("rtsp://10.0.0.5/`id`")).toContain("'`'");
    expect(refused("file:///tmp/a.mp4|nc evil 1", files)).toContain("'|'");
  });

  test(`more than ${MAX_CAMERA_URL_LENGTH} characters, saying how long it is`, () => {
    const ok = `rtsp://10.0.0.5/${"a".repeat(MAX_CAMERA_URL_LENGTH - 16)}`;
    expect(ok.length).toBe(MAX_CAMERA_URL_LENGTH);
    expect(parseCameraUrl(ok, noFiles).ok).toBe(true);
    expect(refused(`${ok}a`)).toBe(`Camera URL is too long (${MAX_CAMERA_URL_LENGTH + 1} characters; at most ${MAX_CAMERA_URL_LENGTH}).`);
  });

  test("file:// paths with '..' (plain or percent-encoded), other hosts, no path, queries", () => {
    expect(refused("file:///srv/demo/../../etc/passwd", files)).toBe("file:// camera URL must not contain '..'.");
    expect(refused("file:///srv/%2e%2e/etc/passwd", files)).toBe("file:// camera URL must not contain '..'.");
    expect(refused("file:///srv/%2E%2E%2Fetc/passwd", files)).toBe("file:// camera URL must not contain '..'.");
    expect(refused("file:///srv/..", files)).toBe("file:// camera URL must not contain '..'.");
    expect(refused("file://fileserver/share/a.mp4", files)).toContain("not at host 'fileserver'");
    expect(refused("file:///", files)).toBe("file:// camera URL has no file path.");
    expect(refused("file:///srv/a.mp4?x=1", files)).toContain("query");
    expect(refused("file:///srv/%zz.mp4", files)).toContain("percent-encoding");
  });
});

describe("maskUrl", () => {
  test.each([
    ["rtsp://admin:s3cret@10.0.0.5:554/live", "rtsp://***@10.0.0.5:554/live"],
    ["rtsps://admin:s3cret@cam/live", "rtsps://***@cam/live"],
    ["http://admin:s3cret@cam/video.mjpg", "http://***@cam/video.mjpg"],
    ["https://viewer@cam/snap.jpg", "https://***@cam/snap.jpg"],
    ["file://me:s3cret@localhost/tmp/a.mp4", "file://***@localhost/tmp/a.mp4"],
    ["rtsp://admin:p%40ss@10.0.0.5/live", "rtsp://***@10.0.0.5/live"],
    ["rtsp://10.0.0.5/live", "rtsp://10.0.0.5/live"],
    ["http://cam/snap.jpg?user=admin&pwd=s3cret", "http://cam/snap.jpg?user=admin&pwd=***"],
    ["http://cam/cgi?cmd=snap&password=s3cret&token=abc#x", "http://cam/cgi?cmd=snap&password=***&token=***#x"],
  ])("%s → %s", (url, want) => {
    expect(maskUrl(url)).toBe(want);
  });

  test.each([
    ["rtsp://admin:p@ss@10.0.0.5/live", "p@ss"],
    ["rtsp://admin:se/cr@et@10.0.0.5/live", "se/cr"],
    ["rtsp://admin:se?cr@et@10.0.0.5/live", "se?cr"],
    ["rtsp://admin:se#cr@10.0.0.5/live", "se#cr"],
    ["admin:s3cret@10.0.0.5/live", "s3cret"],
    ["://admin:s3cret@", "s3cret"],
    ["rtsp://admin:s3cret@", "s3cret"],
    ["rtsp://admin:s3cret@@@cam", "s3cret"],
  ])("malformed %s does not leak the password", (url, secret) => {
    const masked = maskUrl(url);
    expect(masked).not.toContain(secret);
    expect(masked).toContain("***");
  });

  test("never throws, whatever it is given", () => {
    expect(maskUrl("")).toBe("");
    expect(maskUrl("not a url")).toBe("not a url");
    expect(maskUrl(undefined as unknown as string)).toBe("undefined");
    const hostile = { toString: () => { throw new Error("boom"); } };
    expect(maskUrl(hostile as unknown as string)).toBe("***");
  });

  test("masks every URL in ffmpeg's output", () => {
    const line = "[error] rtsp://admin:s3cret@10.0.0.5/live: Connection refused; Input from 'http://u:pw9@cam/a.mjpg'";
    expect(maskUrlsInText(line)).toBe("[error] rtsp://***@10.0.0.5/live: Connection refused; Input from 'http://***@cam/a.mjpg'");
  });
});

describe("parseCameraUrl refuses link-local and cloud metadata destinations", () => {
  test.each([
    ["http://169.254.169.254/latest/meta-data/", "link-local"],
    ["rtsp://169.254.10.20/live", "link-local"],
    // Other spellings of 169.254.169.254: decimal, hex, octal, short forms (the URL parser and getaddrinfo both accept them).
    ["http://2852039166/", "link-local"],
    ["rtsp://2852039166/live", "link-local"],
    ["rtsp://0xa9fea9fe/live", "link-local"],
    ["rtsp://0251.0376.0251.0376/live", "link-local"],
    ["rtsp://169.254.43518/live", "link-local"],
    ["http://0xa9.0xfe.0xa9.0xfe/snap.jpg", "link-local"],
    // IPv6: link-local, mapped and compatible IPv4, AWS's metadata address.
    ["rtsp://[fe80::1]:8554/cam", "link-local"],
    ["rtsp://[FEBF::1]/cam", "link-local"],
    ["http://[::ffff:169.254.169.254]/", "link-local"],
    ["rtsp://[::ffff:a9fe:a9fe]/live", "link-local"],
    ["http://[fd00:ec2::254]/latest/meta-data/", "cloud metadata"],
    ["http://100.100.100.200/latest/meta-data/", "cloud metadata"],
    ["http://metadata.google.internal/computeMetadata/v1/", "cloud metadata"],
    ["http://METADATA.GOOGLE.INTERNAL./computeMetadata/v1/", "cloud metadata"],
  ] as const)("%s (%s)", (raw, what) => {
    const message = refused(raw);
    expect(message).toStartWith("Camera URL: ");
    expect(message).toContain(what);
  });
});
