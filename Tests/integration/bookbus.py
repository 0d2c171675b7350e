"""Helpers for the integration tests: start real `bookbus` processes on loopback and read what
they produce. Nothing here imitates BookBus; it only starts it and listens to it."""
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The shared originals when they are beside the checkout, else the copies bundled in data/.
SHARED = ROOT.parent / "shared" / "data" / "coinbase"
if not SHARED.is_dir():
    SHARED = ROOT / "data"
ORACLE = ROOT / "Tests" / "oracle" / "book_oracle.py"
TUTORIAL = SHARED / "exchange-level2-2022-btc-eth.jsonl"
TEN_PRODUCTS = SHARED / "exchange-level2-2021-10products.jsonl"
TEN_PRODUCTS_TIMED = SHARED / "exchange-level2-2021-10products.timed.jsonl"


def binary():
    return os.environ.get("BOOKBUS_BIN", str(ROOT / ".build" / "debug" / "bookbus"))


def free_ports(count):
    """Distinct free TCP ports on 127.0.0.1."""
    sockets = []
    for _ in range(count):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        sockets.append(s)
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


class Process:
    """A started `bookbus` role; stdout and stderr go to files in `directory`."""

    def __init__(self, name, arguments, directory):
        self.name = name
        self.stdout_path = Path(directory) / f"{name}.out"
        self.stderr_path = Path(directory) / f"{name}.err"
        self.popen = subprocess.Popen(
            [binary()] + arguments,
            stdout=open(self.stdout_path, "wb"),
            stderr=open(self.stderr_path, "wb"),
            stdin=subprocess.DEVNULL,
        )

    def wait(self, timeout):
        try:
            return self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()
            raise AssertionError(f"{self.name} did not finish within {timeout}s:\n{self.stderr()[-3000:]}")

    def terminate(self, timeout=5):
        """SIGTERM, then the exit status; a process that hangs is killed and reported."""
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
        return self.wait(timeout)

    def kill(self):
        if self.popen.poll() is None:
            self.popen.kill()
            self.popen.wait()

    def stdout(self):
        return self.stdout_path.read_text()

    def stderr(self):
        return self.stderr_path.read_text()


def oracle_events(recording, emit="change"):
    output = subprocess.run(
        [sys.executable, str(ORACLE), str(recording), "--events", "--emit", emit],
        check=True, capture_output=True, text=True,
    ).stdout
    return [json.loads(line) for line in output.splitlines()]


def comparable(event):
    """The fields of an event that must match the oracle."""
    return {key: event[key] for key in
            ("type", "product", "bid", "bid_size", "ask", "ask_size", "spread", "mid", "spread_bps", "crossed", "exchange_time")}


def by_product(events):
    grouped = {}
    for event in events:
        grouped.setdefault(event["product"], []).append(comparable(event))
    return grouped


# --- The wire protocol, exactly as README.md describes it -------------------------------------
HEADER = struct.Struct(">B7xQQQ")  # version, reserved, epoch, sequence, receive time (ns)


def decode(frames):
    """(topic, epoch, sequence, received_ns, payload) of one three-frame bus message."""
    assert len(frames) == 3, f"expected 3 frames, got {len(frames)}"
    topic, header, payload = frames
    version, epoch, sequence, received_ns = HEADER.unpack(header)
    assert version == 1
    return topic.decode(), epoch, sequence, received_ns, payload


def stop_all(processes):
    for process in processes:
        process.kill()
