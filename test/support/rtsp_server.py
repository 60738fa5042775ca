#!/usr/bin/python3
"""A real RTSP server (gst-rtsp-server) that serves one H.264 MP4 file in an endless loop.

Usage: rtsp_server.py --file clip.mp4 --name cam1 [--port 0]

Prints `READY <port>` on stdout once it accepts connections (port 0 picks a free port).
The file is not re-encoded: one producer pipeline demuxes it in real time and loops it with a
seek at end of stream; every client's media gets the encoded access units through an appsrc,
starting at the next keyframe, with timestamps rebased onto one continuous timeline so the
loop point looks like an ordinary frame to the client. SIGTERM, SIGINT or EOF on stdin stop it.

Debian packages: python3-gi gir1.2-gst-rtsp-server-1.0, and the elements it uses: appsrc/appsink
(gstreamer1.0-plugins-base), qtdemux and rtph264pay (gstreamer1.0-plugins-good), h264parse
(gstreamer1.0-plugins-bad).
"""
import argparse
import os
import signal
import sys
import threading

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

MEDIA_LAUNCH = (
    "( appsrc name=src is-live=true format=time "
    "caps=video/x-h264,stream-format=byte-stream,alignment=au "
    "! h264parse config-interval=-1 ! rtph264pay name=pay0 pt=96 config-interval=1 )"
)


class Feeder:
    """One client media's appsrc; it starts at a keyframe and keeps its own zero point."""

    def __init__(self, src):
        self.src = src
        self.origin = None  # producer timeline value (ns) that maps to this media's first running time
        self.start = 0  # running time (ns) of this media when the first buffer was pushed

    def push(self, buf, pts, dts, key):
        if self.origin is None:
            if not key:
                return
            self.origin = dts
            clock = self.src.get_clock()
            self.start = clock.get_time() - self.src.get_base_time() if clock else 0
        out = buf.copy()
        # Shift the producer timeline so this media's first keyframe lands on its current running
        # time; the decode-to-presentation gap (B-frames) is kept because pts and dts move together.
        out.pts = pts - self.origin + self.start
        out.dts = dts - self.origin + self.start
        self.src.emit("push-buffer", out)


class Producer:
    """Demuxes the file in real time (appsink sync) and loops it; fans buffers out to feeders."""

    def __init__(self, path):
        self.pipeline = Gst.parse_launch(
            "filesrc name=file ! qtdemux name=demux demux.video_0 ! h264parse config-interval=-1 "
            "! video/x-h264,stream-format=byte-stream,alignment=au "
            "! appsink name=sink sync=true emit-signals=true max-buffers=4"
        )
        self.pipeline.get_by_name("file").set_property("location", path)
        self.pipeline.get_by_name("sink").connect("new-sample", self.on_sample)
        self.lock = threading.Lock()
        self.feeders = []
        # Continuous timeline across loops: each pass restarts at pts 0, so every pass is offset by
        # the end time of the previous one (last timestamp + its duration).
        self.offset = 0
        self.pass_end = 0
        bus = self.pipeline.get_bus()
        bus.add_signal_watch()
        bus.connect("message", self.on_message)

    def start(self):
        self.pipeline.set_state(Gst.State.PLAYING)

    def add(self, feeder):
        with self.lock:
            self.feeders.append(feeder)

    def remove(self, feeder):
        with self.lock:
            self.feeders = [f for f in self.feeders if f is not feeder]

    def on_sample(self, sink):
        buf = sink.emit("pull-sample").get_buffer()
        pts = buf.pts if buf.pts != Gst.CLOCK_TIME_NONE else buf.dts
        dts = buf.dts if buf.dts != Gst.CLOCK_TIME_NONE else pts
        dur = buf.duration if buf.duration != Gst.CLOCK_TIME_NONE else 0
        with self.lock:
            self.pass_end = max(self.pass_end, pts + dur)
            key = not buf.has_flags(Gst.BufferFlags.DELTA_UNIT)
            for f in self.feeders:
                f.push(buf, pts + self.offset, dts + self.offset, key)
        return Gst.FlowReturn.OK

    def on_message(self, _bus, msg):
        if msg.type == Gst.MessageType.EOS:
            with self.lock:
                self.offset += self.pass_end
                self.pass_end = 0
            self.pipeline.seek_simple(Gst.Format.TIME, Gst.SeekFlags.FLUSH | Gst.SeekFlags.KEY_UNIT, 0)
        elif msg.type == Gst.MessageType.ERROR:
            err, _debug = msg.parse_error()
            print(f"producer error: {err.message}", file=sys.stderr, flush=True)
            sys.exit(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--file", required=True)
    ap.add_argument("--name", required=True)
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args()

    Gst.init(None)
    producer = Producer(args.file)

    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(MEDIA_LAUNCH)
    factory.set_shared(False)

    def on_configure(_factory, media):
        feeder = Feeder(media.get_element().get_by_name("src"))
        producer.add(feeder)
        media.connect("unprepared", lambda _m: producer.remove(feeder))

    factory.connect("media-configure", on_configure)

    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(args.port))
    server.get_mount_points().add_factory("/" + args.name, factory)
    if server.attach(None) == 0:
        print(f"cannot listen on port {args.port}", file=sys.stderr, flush=True)
        sys.exit(1)

    loop = GLib.MainLoop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_HIGH, sig, loop.quit)

    def on_stdin(fd, _cond):
        # The parent keeps stdin open; EOF means it is gone, so do not outlive it.
        if os.read(fd, 4096):
            return True
        loop.quit()
        return False

    GLib.io_add_watch(sys.stdin.fileno(), GLib.PRIORITY_DEFAULT, GLib.IO_IN | GLib.IO_HUP, on_stdin)
    producer.start()
    print(f"READY {server.get_bound_port()}", flush=True)
    loop.run()
    producer.pipeline.set_state(Gst.State.NULL)


if __name__ == "__main__":
    main()
