"""`bookbus bench --only latency` end to end, small and on the touch profile so a debug build
finishes in seconds: each rate's row (a timed recording whose updates start once the books are
loaded, checked by the bench against the reference book) is followed by the floor measured through
a real `bookbus relay` process, with every message it sent received."""
import re
import subprocess

from bookbus import binary

FIGURES = r"(\d+\.\d) / (\d+\.\d) / (\d+\.\d) / (\d+\.\d) / (\d+\.\d)\s+(\d+)"


def test_each_latency_row_is_followed_by_its_relay_hop_floor():
    result = subprocess.run(
        [binary(), "bench", "--only", "latency", "--profiles", "touch", "--rates", "2000",
         "--latency-seconds", "1"],
        capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
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
