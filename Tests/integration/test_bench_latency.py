"""`bookbus bench --only latency` end to end, small and on the touch profile so a debug build
finishes in seconds: each rate's row (a timed recording whose updates start once the books are
loaded, checked by the bench against the reference book) is followed by the floor measured through
a real `bookbus relay` process, with every message it sent received."""
import os
import re
import subprocess

import pytest

from bookbus import binary

FIGURES = r"(\d+\.\d) / (\d+\.\d) / (\d+\.\d) / (\d+\.\d) / (\d+\.\d)\s+(\d+)"


DEVICE = "/dev/cpu_dma_latency"


def latency_bench(*extra):
    result = subprocess.run(
        [binary(), "bench", "--only", "latency", "--profiles", "touch", "--rates", "2000",
         "--latency-seconds", "1", *extra],
        capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    return result


def test_each_latency_row_is_followed_by_its_relay_hop_floor():
    result = latency_bench()
    lines = result.stdout.splitlines()
    rate = next(index for index, line in enumerate(lines) if line.strip().startswith("2,000 (achieved"))
    assert re.search(FIGURES, lines[rate]), lines[rate]
    floor = re.search(r"floor: bare relay hop\s+" + FIGURES, lines[rate + 1])
    assert floor, lines[rate + 1]
    p50, p90, p99, p999, highest, samples = floor.groups()
    # One sample per update the bench generated for this rate (the snapshots are BookBus's alone).
    assert int(samples) == 2_000
    assert 0 < float(p50) <= float(p90) <= float(p99) <= float(p999) <= float(highest)
    assert "through a `bookbus relay` alone" in result.stdout
    assert "the updates start 1 s after the snapshots" in result.stdout
    # Without --idle-latency-us the runs go under the machine's own idle policy, and say so.
    assert "CPU idle: the machine's own policy" in result.stdout


@pytest.mark.skipif(not os.access(DEVICE, os.W_OK), reason=f"needs write access to {DEVICE} (root)")
def test_the_latency_runs_can_hold_the_idle_wake_up_limit_and_let_it_go():
    with open(DEVICE, "rb") as device:
        before = int.from_bytes(device.read(4), "little", signed=True)
    result = latency_bench("--idle-latency-us", "0")
    # The bench reads the kernel's value back while it holds it.
    assert f"CPU idle: wake-up limit held at 0 µs for these runs ({DEVICE} reads 0 µs)" in result.stdout
    with open(DEVICE, "rb") as device:
        assert int.from_bytes(device.read(4), "little", signed=True) == before
