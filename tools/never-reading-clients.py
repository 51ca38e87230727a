#!/usr/bin/env python3
"""Memory of a Strand server under clients that send requests and never read their answers.

Written from docs/protocol.md alone (frames of section 2, CBOR bodies of section 3): each of N connections
greets (HELLO), then sends PING requests as fast as the socket takes them, with a small receive buffer and
without ever reading. The server should stop reading each connection once its answers waiting to be read
reach strand.connections.max-outbox, so the clients block in their writes and the server's memory stays flat.

Every few seconds it prints the server's resident memory (from /proc, given the server's PID) and, when
the management port answers, the JVM heap in use (from /metrics); at the end it prints the figures as JSON.
It stops by itself after --seconds.

    tools/never-reading-clients.py --pid $(pgrep -f StrandServer) --connections 50 --seconds 60
"""
import argparse
import json
import re
import socket
import struct
import threading
import time
import urllib.request


def text(s):
    b = s.encode()
    assert len(b) < 24
    return bytes([0x60 | len(b)]) + b


def frame(frame_type, opcode, request_id, body):
    return struct.pack(">IBBHQ", 12 + len(body), frame_type, 0, opcode, request_id) + body


HELLO = frame(1, 1, 1, bytes([0xA2]) + text("protocolVersion") + bytes([0x01])
              + text("authMethod") + text("none"))


def ping(request_id):
    return frame(1, 3, request_id, bytes([0xA1]) + text("nonce") + bytes([0x1B]) + struct.pack(">Q", request_id))


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def heap_bytes(metrics_url):
    try:
        body = urllib.request.urlopen(metrics_url, timeout=2).read().decode()
    except OSError:
        return -1
    total = 0.0
    for line in body.splitlines():
        if line.startswith("jvm_memory_used_bytes") and 'area="heap"' in line:
            total += float(line.rsplit(" ", 1)[1])
    return int(total)


class Flooder(threading.Thread):
    def __init__(self, host, port, deadline):
        super().__init__(daemon=True)
        self.host, self.port, self.deadline = host, port, deadline
        self.sent = 0
        self.error = None

    def run(self):
        try:
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            s.connect((self.host, self.port))
            s.settimeout(1.0)
            s.sendall(HELLO)
            request_id = 2
            while time.time() < self.deadline:
                try:
                    s.sendall(ping(request_id))
                    self.sent += 1
                    request_id += 1
                except socket.timeout:
                    continue  # blocked: the server stopped reading us, as it should
            s.close()
        except OSError as e:
            self.error = str(e)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=7411)
    p.add_argument("--metrics", default="http://127.0.0.1:7626/metrics")
    p.add_argument("--pid", type=int, required=True, help="the server's PID, for its resident memory")
    p.add_argument("--connections", type=int, default=50)
    p.add_argument("--seconds", type=int, default=60)
    a = p.parse_args()

    samples = [{"t": 0, "rssKiB": rss_kib(a.pid), "heapBytes": heap_bytes(a.metrics), "requestsSent": 0}]
    print(f"before: RSS {samples[0]['rssKiB'] // 1024} MiB, heap {samples[0]['heapBytes'] // 2**20} MiB")
    start = time.time()
    flooders = [Flooder(a.host, a.port, start + a.seconds) for _ in range(a.connections)]
    for f in flooders:
        f.start()
    while time.time() < start + a.seconds:
        time.sleep(min(5, max(0.1, start + a.seconds - time.time())))
        sample = {"t": round(time.time() - start), "rssKiB": rss_kib(a.pid), "heapBytes": heap_bytes(a.metrics),
                  "requestsSent": sum(f.sent for f in flooders)}
        samples.append(sample)
        print(f"{sample['t']:4d} s: RSS {sample['rssKiB'] // 1024} MiB, heap {sample['heapBytes'] // 2**20} MiB, "
              f"{sample['requestsSent']} requests sent, none read")
    for f in flooders:
        f.join(5)
    errors = [f.error for f in flooders if f.error]
    print(json.dumps({"connections": a.connections, "seconds": a.seconds, "errors": errors[:5],
                      "samples": samples}))


if __name__ == "__main__":
    main()
