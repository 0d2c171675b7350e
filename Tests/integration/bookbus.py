"""Helpers for the integration tests: start real `bookbus` processes on loopback and read what
they produce. Nothing here imitates BookBus; it only starts it and listens to it."""
import json
import os
import signal
import socket
import struct
import subprocess
import sys
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
    return os.environ.get("TEST_BOOKBUS_BINARY", str(ROOT / ".build" / "debug" / "bookbus"))


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


def free_port_range(count):
    """A first port P such that P, P + 1, ..., P + count - 1 are all free on 127.0.0.1 (the demo's
    --base-port takes a range). Tried below the ephemeral range, where outgoing connections of
    other processes do not take ports meanwhile."""
    import random
    for _ in range(200):
        first = random.randrange(20_000, 32_000 - count)
        sockets = []
        try:
            for port in range(first, first + count):
                s = socket.socket()
                sockets.append(s)
                s.bind(("127.0.0.1", port))
            return first
        except OSError:
            continue
        finally:
            for s in sockets:
                s.close()
    raise RuntimeError(f"no {count} consecutive free ports")


ROLES = ("ingest", "worker", "sink", "relay")


class Process:
    """A started `bookbus` role; stdout and stderr go to files in `directory`, and a role's
    statistics (`--stats-file`) to `<name>.stats.json` there. `prefix` runs it through another
    command, e.g. `ip netns exec host1` to put it on a test host."""

    def __init__(self, name, arguments, directory, prefix=(), cwd=None, env=None):
        self.name = name
        self.stdout_path = Path(directory) / f"{name}.out"
        self.stderr_path = Path(directory) / f"{name}.err"
        self.stats_path = Path(directory).resolve() / f"{name}.stats.json"
        if arguments and arguments[0] in ROLES:
            arguments = [*arguments, "--stats-file", str(self.stats_path)]
        self.popen = subprocess.Popen(
            [*prefix, binary()] + arguments,
            stdout=open(self.stdout_path, "wb"),
            stderr=open(self.stderr_path, "wb"),
            stdin=subprocess.DEVNULL,
            cwd=cwd,
            env=env,
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

    def stats(self):
        """The role's last stats report: {"role", "name", "statistics": {name: value or
        {label: value}}, "products": {product: state}}."""
        return json.loads(self.stats_path.read_text())

    def statistic(self, name):
        return self.stats()["statistics"][name]


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


def by_topic(events):
    """{(product, type): events in order}. Order is kept per topic: a worker sends the events one
    bus message made as batches, all its top-of-book events, then all its spread events."""
    grouped = {}
    for event in events:
        grouped.setdefault((event["product"], event["type"]), []).append(comparable(event))
    return grouped


# --- The wire protocol, exactly as README.md describes it -------------------------------------
HEADER = struct.Struct(">B7xQQQ")  # version, reserved, epoch, sequence, receive time (ns)


def decode(frames):
    """(topic, epoch, sequence, received_ns, payloads) of one bus message: topic, header, then one
    payload per frame, several on raw/, parsed/, tob/ and spread/ topics (payload i has sequence + i)."""
    assert len(frames) >= 3, f"expected at least 3 frames, got {len(frames)}"
    topic, header, *payloads = frames
    version, epoch, sequence, received_ns = HEADER.unpack(header)
    assert version == 4
    assert len(payloads) == 1 or not topic.startswith(b"bus/"), f"{len(payloads)} payloads on {topic}"
    return topic.decode(), epoch, sequence, received_ns, payloads


def stop_all(processes):
    for process in processes:
        process.kill()


def oracle_tops(recording):
    """{(product, seq): (bid, bid_size, ask, ask_size)}: the reference book after each message."""
    output = subprocess.run([sys.executable, str(ORACLE), str(recording), "--tops"],
                            check=True, capture_output=True, text=True).stdout
    tops = {}
    for line in output.splitlines():
        top = json.loads(line)
        tops[(top["product"], top["seq"])] = (top["bid"], top["bid_size"], top["ask"], top["ask_size"])
    return tops


def assert_events_match_tops(events, tops):
    """Every event shows exactly the reference book as of the message it names (source_seq): the
    book after the last book message of that product with a sequence at or below it."""
    import bisect
    assert events, "no events"
    sequences = {}
    for product, sequence in tops:
        sequences.setdefault(product, []).append(sequence)
    for known in sequences.values():
        known.sort()
    for event in events:
        product = event["product"]
        known = sequences.get(product, [])
        index = bisect.bisect_right(known, event["source_seq"]) - 1
        assert index >= 0, f"event for {product} at {event['source_seq']} precedes its first book message"
        reference = tops[(product, known[index])]
        shown = (event["bid"], event["bid_size"], event["ask"], event["ask_size"])
        assert shown == reference, f"{product} at {event['source_seq']}: event {shown} vs reference {reference}"


def synthetic_exchange_recording(path, products=("AAA-USD", "BBB-USD", "CCC-USD"), updates=40_000, seconds=4.0, seed=11,
                                 trade_every=0):
    """A timed Exchange-format recording: a snapshot per product, then `updates` single-change
    l2updates near the touch spread evenly over `seconds`. Never crossed. With `trade_every`, every
    that many updates are followed by a match of their product (trade ids consecutive per product)."""
    import random
    rng = random.Random(seed)
    books = {}
    trade_ids = {}
    lines = []
    start = 1_700_000_000.0

    def emit(offset, message):
        lines.append(json.dumps({"ts": start + offset, "raw": json.dumps(message, separators=(",", ":"))}))

    for index, product in enumerate(products):
        mid = 100 + 50 * index
        bids = {f"{mid - 0.05 - i * 0.01:.2f}": f"{rng.randint(1, 10**6) / 10**4:.4f}" for i in range(200)}
        asks = {f"{mid + 0.05 + i * 0.01:.2f}": f"{rng.randint(1, 10**6) / 10**4:.4f}" for i in range(200)}
        books[product] = (mid, bids, asks)
        emit(0.0, {"type": "snapshot", "product_id": product, "bids": [[p, s] for p, s in bids.items()],
                   "asks": [[p, s] for p, s in asks.items()]})
    for step in range(updates):
        product = rng.choice(products)
        mid, bids, asks = books[product]
        side = rng.choice(["buy", "sell"])
        offset = rng.randint(0, 30) * 0.01
        price = f"{mid - 0.05 - offset:.2f}" if side == "buy" else f"{mid + 0.05 + offset:.2f}"
        size = "0.0000" if rng.random() < 0.25 else f"{rng.randint(1, 10**6) / 10**4:.4f}"
        emit(seconds * (step + 1) / updates, {"type": "l2update", "product_id": product, "changes": [[side, price, size]],
                                               "time": f"t{step}"})
        if trade_every and (step + 1) % trade_every == 0:
            trade_ids[product] = trade_ids.get(product, 0) + 1
            maker = rng.choice(["buy", "sell"])
            emit(seconds * (step + 1) / updates, {
                "type": "match", "trade_id": trade_ids[product], "product_id": product, "side": maker,
                "price": f"{mid - 0.05:.2f}" if maker == "buy" else f"{mid + 0.05:.2f}",
                "size": f"{rng.randint(1, 10**4) / 10**4:.4f}", "time": f"t{step}"})
    Path(path).write_text("\n".join(lines) + "\n")


class Hosts:
    """Where each role runs: every role on 127.0.0.1, or each on its own network namespace."""

    def __init__(self, addresses, prefixes):
        self.addresses = addresses  # role -> address others use to reach it
        self.prefixes = prefixes  # role -> command prefix

    @classmethod
    def loopback(cls):
        return cls({}, {})

    def address(self, role):
        return self.addresses.get(role, "127.0.0.1")

    def prefix(self, role):
        return self.prefixes.get(role, ())
