"""Faults with real processes on loopback: a killed worker, a late worker, dropped messages, a
vanished upstream, a killed sink. Every event must show the reference book as of the message it
names, whatever happened before it."""
import json
import signal
import subprocess
import sys
import time

from bookbus import (TEN_PRODUCTS_TIMED, TUTORIAL, Process, assert_events_match_tops, by_topic, free_ports,
                     oracle_events, oracle_tops, stop_all, synthetic_exchange_recording)
from test_live_websocket import SERVER, start_server


class Topology:
    """ingest → workers → sink on loopback ports, started piece by piece."""

    def __init__(self, tmp_path, workers=2):
        self.tmp_path = tmp_path
        self.workers = workers
        self.ingest_port, self.snapshot_port, *self.worker_ports = free_ports(workers + 2)
        self.log = tmp_path / "events.log"
        self.processes = []

    def start(self, name, arguments):
        process = Process(name, arguments, self.tmp_path)
        self.processes.append(process)
        return process

    def sink(self, *extra, events="spread,tob"):
        connects = sum([["--connect", f"tcp://127.0.0.1:{port}"] for port in self.worker_ports], [])
        return self.start("sink", ["sink", *connects, "--events", events, "--format", "json", "--log", str(self.log),
                                   "--quiet", *extra])

    def worker(self, index, *extra, name=None, shard=None):
        return self.start(name or f"worker-{index}", [
            "worker", "--shard", shard or f"{index}/{self.workers}", "--ingest", f"tcp://127.0.0.1:{self.ingest_port}",
            "--snapshots", f"tcp://127.0.0.1:{self.snapshot_port}", "--publish", f"tcp://127.0.0.1:{self.worker_ports[index]}",
            "--name", f"worker-{index}", *extra])

    def ingest(self, *source):
        return self.start("ingest", ["ingest", *source, "--publish", f"tcp://127.0.0.1:{self.ingest_port}",
                                     "--snapshots", f"tcp://127.0.0.1:{self.snapshot_port}"])

    def events(self):
        return [json.loads(line) for line in self.log.read_text().splitlines()] if self.log.exists() else []

    def stop(self):
        statuses = {}
        for process in reversed(self.processes):
            if process.popen.poll() is None:
                statuses[process.name] = process.terminate(timeout=10)
            else:
                statuses[process.name] = process.popen.returncode
        return statuses

    def close(self):
        stop_all(self.processes)


def worker_products(worker):
    return set(worker.stats()["products"])


def wait_until(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_killed_worker_restarts_and_resumes_from_a_snapshot(tmp_path):
    topology = Topology(tmp_path)
    try:
        topology.sink("--exit-after-ends", "2")
        workers = [topology.worker(0, "--wait-for-subscribers", "1", "--exit-on-end"),
                   topology.worker(1, "--wait-for-subscribers", "1", "--exit-on-end")]
        topology.start("ingest", ["ingest", "--replay", str(TEN_PRODUCTS_TIMED), "--speed", "4", "--wait-for-subscribers", "2",
                                  "--publish", f"tcp://127.0.0.1:{topology.ingest_port}",
                                  "--snapshots", f"tcp://127.0.0.1:{topology.snapshot_port}"])
        time.sleep(2.5)
        workers[0].popen.send_signal(signal.SIGKILL)
        workers[0].popen.wait()
        killed_at = time.time_ns()
        time.sleep(0.5)
        restarted = topology.worker(0, "--exit-on-end", name="worker-0-restarted")
        for process in topology.processes:
            if process is not workers[0]:
                assert process.wait(60) == 0, f"{process.name}:\n{process.stderr()[-3000:]}"
    finally:
        topology.close()
    events = topology.events()
    assert_events_match_tops(events, oracle_tops(TEN_PRODUCTS_TIMED))
    mine = worker_products(restarted)
    assert mine, restarted.stderr()
    # It noticed its products by the ingest's heartbeat or by an update arriving before any snapshot.
    reasons = restarted.statistic("resyncs_by_reason")
    assert reasons["joined_late"] + reasons["update_before_snapshot"] > 0, reasons
    assert restarted.statistic("snapshots_applied") > 0
    after = [event for event in events if event["ingest_time_ns"] > killed_at]
    assert {event["product"] for event in after} >= mine
    # The other worker's products never noticed: their event streams equal the reference exactly.
    expected = by_topic(oracle_events(TEN_PRODUCTS_TIMED))
    others = {product for product, _ in expected} - mine
    actual = by_topic(events)
    for topic in expected:
        if topic[0] in others:
            assert actual[topic] == expected[topic], topic


def join_late(tmp_path, recording, speed, after):
    """A sink and an ingest replaying `recording`; one worker joins `after` seconds in, once the
    snapshots have gone by. Returns the ingest, the worker and the events, all stopped cleanly."""
    topology = Topology(tmp_path, workers=1)
    try:
        topology.sink()
        ingest = topology.ingest("--replay", str(recording), "--speed", speed)
        time.sleep(after)
        worker = topology.worker(0)
        assert ingest.wait(30) == 0
        time.sleep(0.5)
        statuses = topology.stop()
    finally:
        topology.close()
    assert statuses == {"worker-0": 0, "sink": 0, "ingest": 0}
    return ingest, worker, topology.events()


def test_late_worker_builds_correct_books_from_the_snapshot_service(tmp_path):
    _, worker, events = join_late(tmp_path, TEN_PRODUCTS_TIMED, "6", after=1.5)
    assert_events_match_tops(events, oracle_tops(TEN_PRODUCTS_TIMED))
    assert len({event["product"] for event in events}) == 10
    # Each product was noticed (by the ingest's heartbeat, or an update before any snapshot) and
    # loaded from the snapshot service exactly once.
    reasons = worker.statistic("resyncs_by_reason")
    assert reasons["joined_late"] + reasons["update_before_snapshot"] == 10, reasons
    assert worker.statistic("resyncs") == 10 and worker.statistic("snapshots_applied") == 10


def test_late_worker_joins_a_batched_stream_through_the_snapshot_service(tmp_path):
    """A replay that cannot keep its pace sends what is due in batches; the snapshot service must
    still say exactly which message each book includes, counting every payload of a batch."""
    recording = tmp_path / "busy.jsonl"
    synthetic_exchange_recording(recording, updates=120_000, seconds=3.0)
    ingest, worker, events = join_late(tmp_path, recording, "1", after=1.0)  # batches are going out
    statistics = ingest.stats()["statistics"]  # published counts heartbeats and the end of stream
    assert statistics["frames"] == 120_003 and statistics["bus_messages"] < statistics["published"], statistics
    assert worker.statistic("resyncs") == 3 and worker.statistic("snapshots_applied") == 3
    assert_events_match_tops(events, oracle_tops(recording))
    assert {event["product"] for event in events} == {"AAA-USD", "BBB-USD", "CCC-USD"}


def test_forced_drops_are_detected_and_repaired_without_a_wrong_event(tmp_path):
    recording = tmp_path / "busy.jsonl"
    synthetic_exchange_recording(recording, updates=60_000, seconds=5.0)
    topology = Topology(tmp_path, workers=1)
    try:
        topology.sink()
        worker = topology.worker(0, "--hwm", "20", "--wait-for-subscribers", "1")
        topology.start("ingest", [
            "ingest", "--replay", str(recording), "--speed", "1", "--no-lossless", "--hwm", "20",
            "--wait-for-subscribers", "1", "--publish", f"tcp://127.0.0.1:{topology.ingest_port}",
            "--snapshots", f"tcp://127.0.0.1:{topology.snapshot_port}"])
        time.sleep(1.0)
        worker.popen.send_signal(signal.SIGSTOP)  # a paused worker: its queues fill, the ingest drops
        time.sleep(2.0)
        worker.popen.send_signal(signal.SIGCONT)
        time.sleep(2.5)  # the ingest is still replaying: the worker resynchronises from it
        statuses = topology.stop()
    finally:
        topology.close()
    assert statuses == {"worker-0": 0, "sink": 0, "ingest": 0}
    # libzmq drops silently at the publisher; the worker sees the gaps and repairs them.
    reasons = worker.statistic("resyncs_by_reason")
    assert reasons["sequence_gap"] + reasons["heartbeat_shows_loss"] > 0, reasons
    assert worker.statistic("snapshots_applied") > 0
    events = topology.events()
    assert_events_match_tops(events, oracle_tops(recording))
    # Events carried on after the repair, for every product.
    assert len({event["product"] for event in events[-200:]}) == 3


def test_upstream_server_killed_and_back_gives_fresh_snapshots(tmp_path):
    second = tmp_path / "second.jsonl"
    # The second session is the first one with every price 1000 higher: no level may survive from before.
    second.write_text("".join(json.dumps(shifted(json.loads(line), 1000)) + "\n" for line in TUTORIAL.read_text().splitlines()))
    server, ws_port = start_server(tmp_path, "exchange", TUTORIAL)
    topology = Topology(tmp_path, workers=1)
    try:
        topology.sink()
        topology.worker(0, "--wait-for-subscribers", "1")
        ingest = topology.start("ingest", [
            "ingest", "--live", "--feed", "exchange", "--url", f"ws://127.0.0.1:{ws_port}", "--products", "BTC-USD,ETH-USD",
            "--wait-for-subscribers", "1", "--publish", f"tcp://127.0.0.1:{topology.ingest_port}",
            "--snapshots", f"tcp://127.0.0.1:{topology.snapshot_port}"])
        first_count = len(oracle_events(TUTORIAL))
        wait_until(lambda: len(topology.events()) >= first_count, 30, "the first session's events")
        server.kill()
        server.wait()
        restarted_at = time.time_ns()
        time.sleep(1.5)  # reconnect attempts fail meanwhile, with growing backoff
        server = start_server_on(tmp_path, "exchange", second, ws_port)
        # The last top-of-book event of each product shows its final book.
        final = {product: events[-1] for (product, kind), events in by_topic(oracle_events(second)).items()
                 if kind == "tob"}
        wait_until(lambda: all(any(e["product"] == p and e["ingest_time_ns"] > restarted_at and
                                   (e["bid"], e["ask"]) == (f["bid"], f["ask"]) for e in topology.events())
                               for p, f in final.items()), 30, "the second session's final books")
        statuses = topology.stop()
    finally:
        topology.close()
        server.kill()
        server.wait()
    assert statuses == {"worker-0": 0, "sink": 0, "ingest": 0}
    log = ingest.stderr()
    assert "reconnecting to coinbase" in log and "coinbase connection failed" in log
    assert "connections=2" in log
    events = topology.events()
    before = [e for e in events if e["ingest_time_ns"] < restarted_at]
    after = [e for e in events if e["ingest_time_ns"] > restarted_at]
    assert_events_match_tops(before, oracle_tops(TUTORIAL))
    assert_events_match_tops(after, oracle_tops(second))


def shifted(message, amount):
    """An Exchange message with every price raised by `amount`, spelled with the same decimals."""
    from decimal import Decimal

    def move(price):
        return str(Decimal(price) + amount)

    if message.get("type") == "snapshot":
        for side in ("bids", "asks"):
            message[side] = [[move(level[0]), *level[1:]] for level in message[side]]
    elif message.get("type") == "l2update":
        message["changes"] = [[change[0], move(change[1]), change[2]] for change in message["changes"]]
    return message


def start_server_on(tmp_path, feed, recording, port):
    ready = tmp_path / "server2.port"
    server = subprocess.Popen([sys.executable, str(SERVER), "--feed", feed,
                               "--recording", str(recording), "--port", str(port), "--ready", str(ready)],
                              stderr=open(tmp_path / "server2.err", "wb"))
    wait_until(lambda: ready.exists() and ready.read_text(), 20, "the restarted server")
    return server


def test_sink_killed_mid_stream_leaves_whole_lines_and_appends_on_restart(tmp_path):
    topology = Topology(tmp_path, workers=1)
    try:
        sink = topology.sink()
        topology.worker(0, "--wait-for-subscribers", "1")
        ingest = topology.ingest("--replay", str(TEN_PRODUCTS_TIMED), "--speed", "8", "--wait-for-subscribers", "1")
        wait_until(lambda: len(topology.events()) > 200, 30, "events in the log")
        sink.popen.send_signal(signal.SIGKILL)
        sink.popen.wait()
        content = topology.log.read_bytes()
        assert content.endswith(b"\n")
        lines_before = content.decode().splitlines()
        for line in lines_before:
            json.loads(line)
        topology.sink("--exit-after-ends", "1")
        wait_until(lambda: len(topology.log.read_text().splitlines()) > len(lines_before), 30, "appended events")
        assert ingest.wait(30) == 0
        statuses = topology.stop()
    finally:
        topology.close()
    assert statuses["ingest"] == 0 and statuses["worker-0"] == 0
    lines = topology.log.read_text().splitlines()
    assert lines[:len(lines_before)] == lines_before
    for line in lines:
        json.loads(line)


def test_killed_ingest_restarts_and_workers_follow_the_new_epoch(tmp_path):
    topology = Topology(tmp_path, workers=1)
    try:
        topology.sink()
        worker = topology.worker(0, "--wait-for-subscribers", "1")
        first = topology.ingest("--replay", str(TEN_PRODUCTS_TIMED), "--speed", "6", "--wait-for-subscribers", "1")
        time.sleep(2.0)
        first.popen.send_signal(signal.SIGKILL)
        first.popen.wait()
        topology.processes.remove(first)
        restarted_at = time.time_ns()
        second = topology.ingest("--replay", str(TEN_PRODUCTS_TIMED), "--speed", "0", "--wait-for-subscribers", "1")
        assert second.wait(30) == 0
        time.sleep(1.0)
        statuses = topology.stop()
    finally:
        topology.close()
    assert statuses == {"worker-0": 0, "sink": 0, "ingest": 0}
    # The restarted ingest's replay opens with snapshots: they replace the books under the new epoch.
    assert set(worker.stats()["products"].values()) == {"live"}
    events = topology.events()
    assert_events_match_tops(events, oracle_tops(TEN_PRODUCTS_TIMED))
    final = {topic: (e[-1]["bid"], e[-1]["ask"]) for topic, e in by_topic(oracle_events(TEN_PRODUCTS_TIMED)).items()}
    last = {topic: (e[-1]["bid"], e[-1]["ask"]) for topic, e in by_topic(events).items()}
    assert last == final
    assert any(event["ingest_time_ns"] > restarted_at for event in events)


def test_a_replay_waiting_out_a_quiet_spell_still_serves_snapshots(tmp_path):
    """A recording's quiet spell (8 s without a message) must not hold up the ingest's snapshot
    service or its heartbeats: a worker joining during it loads every book at once, not when the
    replay goes on."""
    recording = tmp_path / "quiet.timed.jsonl"
    synthetic_exchange_recording(recording, updates=2_000, seconds=2.0)
    lines = [json.loads(line) for line in recording.read_text().splitlines()]
    start = lines[0]["ts"]
    for line in lines:
        if line["ts"] - start > 1.0:
            line["ts"] += 8.0  # updates until 1 s in, then nothing until 9 s in
    recording.write_text("".join(json.dumps(line) + "\n" for line in lines))
    topology = Topology(tmp_path, workers=1)
    try:
        topology.sink()
        ingest = topology.ingest("--replay", str(recording), "--speed", "1")
        time.sleep(2.0)  # the snapshots and the first updates are out; the quiet spell has begun
        worker = topology.worker(0)
        joined = time.monotonic()
        wait_until(lambda: live_products(worker) == {"AAA-USD", "BBB-USD", "CCC-USD"}, 4.0,
                   "the late worker to load every book during the quiet spell")
        assert time.monotonic() - joined < 5.0  # well before the replay goes on, ~7 s after joining
        assert ingest.wait(30) == 0
        time.sleep(0.5)
        statuses = topology.stop()
    finally:
        topology.close()
    assert statuses == {"worker-0": 0, "sink": 0, "ingest": 0}
    assert worker.statistic("resyncs_by_reason")["joined_late"] == 3
    assert worker.statistic("snapshots_applied") == 3
    events = topology.events()
    assert_events_match_tops(events, oracle_tops(recording))
    assert {event["product"] for event in events} == {"AAA-USD", "BBB-USD", "CCC-USD"}


def live_products(worker):
    """The products a worker's stats file calls live (none before its first report)."""
    try:
        return {product for product, state in worker.stats()["products"].items() if state == "live"}
    except (FileNotFoundError, json.JSONDecodeError):
        return set()
