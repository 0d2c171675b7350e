"""The elastic worker group and the relay, as real processes: workers join with no shard, a third
joins mid-stream, one is killed; products move, and every event stays right. Run on loopback, and
across hosts made of network namespaces."""
import json
import signal
import subprocess
import time

import zmq

from bookbus import TEN_PRODUCTS_TIMED, Hosts, Process, assert_events_match_tops, free_ports, oracle_tops, stop_all


def run_group_scenario(tmp_path, hosts):
    ingest_port, service_port, frontend_port, backend_port = free_ports(4)
    ingest_at = f"tcp://{hosts.address('ingest')}"
    relay_at = f"tcp://{hosts.address('relay')}"
    log = tmp_path / "events.log"
    processes = []

    def start(name, role, arguments):
        process = Process(name, arguments, tmp_path, prefix=hosts.prefix(role))
        processes.append(process)
        return process

    def worker(name, role):
        return start(name, role, ["worker", "--ingest", f"{ingest_at}:{ingest_port}", "--snapshots", f"{ingest_at}:{service_port}",
                                  "--publish", f">{relay_at}:{frontend_port}", "--name", name])

    context = zmq.Context()
    extra = None
    try:
        start("relay", "relay", ["relay", "--frontend", f"@tcp://*:{frontend_port}", "--backend", f"@tcp://*:{backend_port}"])
        start("sink", "sink", ["sink", "--connect", f"{relay_at}:{backend_port}", "--events", "spread,tob", "--format", "json",
                               "--log", str(log), "--quiet"])
        first = worker("worker-a", "worker-a")
        worker("worker-b", "worker-b")
        ingest = start("ingest", "ingest", [
            "ingest", "--replay", str(TEN_PRODUCTS_TIMED), "--speed", "3", "--wait-for-subscribers", "2",
            "--publish", f"@tcp://*:{ingest_port}", "--snapshots", f"@tcp://*:{service_port}", "--group-expiry", "1.5"])
        # A third-party subscriber on yet another host, reading spreads from the relay.
        extra = subscriber_process(tmp_path, hosts, f"{relay_at}:{backend_port}")
        time.sleep(3)
        third = worker("worker-c", "worker-c")
        time.sleep(3)
        first.popen.send_signal(signal.SIGKILL)
        first.popen.wait()
        killed_at = time.time_ns()
        assert ingest.wait(60) == 0, ingest.stderr()
        time.sleep(1)
        statuses = {p.name: p.terminate(timeout=10) for p in reversed(processes) if p is not first}
        assert all(status == 0 for status in statuses.values()), statuses
        extra_spreads = extra.communicate(timeout=20)[0]
    finally:
        stop_all(processes)
        if extra and extra.poll() is None:
            extra.kill()
        context.term()
    events = [json.loads(line) for line in log.read_text().splitlines()]
    assert_events_match_tops(events, oracle_tops(TEN_PRODUCTS_TIMED))
    # No product is ever published by two workers under one generation.
    publishers = {}
    for event in events:
        publishers.setdefault((event["product"], event["generation"]), set()).add(event["worker"])
    assert all(len(names) == 1 for names in publishers.values()), publishers
    products = {event["product"] for event in events}
    assert len(products) == 10
    # Across the hand-overs the sink's output never goes back: per topic, each event shows a state
    # at or after the previous one's (the losing worker is told at once, and the sink keeps only the
    # highest generation of a product).
    for topic, shown in by_source_seq(events).items():
        assert shown == sorted(shown), f"{topic} goes back: {[s for a, s in zip(shown, shown[1:]) if s < a][:5]}"
    sink = next(p for p in processes if p.name == "sink")
    assert "superseded" in sink.stats()["statistics"]
    # worker-c took a share when it joined; worker-a's products went on without it.
    assert "gained=" in third.stderr() and {e["worker"] for e in events} == {"worker-a", "worker-b", "worker-c"}
    after = {e["product"] for e in events if e["ingest_time_ns"] > killed_at + 2_500_000_000}
    assert {e["worker"] for e in events if e["ingest_time_ns"] > killed_at + 2_500_000_000} <= {"worker-b", "worker-c"}
    assert len(after) >= 8, after  # nearly every product still changes in the last seconds of the recording
    assert "expired" in ingest.stderr()
    received = [json.loads(line) for line in extra_spreads.splitlines()]
    assert received and all(event["type"] == "spread" for event in received)


def by_source_seq(events):
    """{(product, type): [source_seq, ...]} in the order the events were written."""
    grouped = {}
    for event in events:
        grouped.setdefault((event["product"], event["type"]), []).append(event["source_seq"])
    return grouped


def subscriber_process(tmp_path, hosts, endpoint):
    """pyzmq, in its own process (and host): prints the spread events it receives for 8 s."""
    code = f"""
import json, struct, time, zmq
sub = zmq.Context().socket(zmq.SUB)
sub.setsockopt(zmq.LINGER, 0)
sub.connect({endpoint!r})
sub.setsockopt(zmq.SUBSCRIBE, b"spread/")
header = struct.Struct(">B7xQQQ")
deadline = time.monotonic() + 8
while time.monotonic() < deadline:
    if sub.poll(200):
        topic, head, *payloads = sub.recv_multipart()
        assert header.unpack(head)[0] == 4
        for payload in payloads:
            print(payload.decode(), flush=True)
"""
    return subprocess.Popen([*hosts.prefix("subscriber"), "python3", "-c", code], stdout=subprocess.PIPE, text=True)


def test_worker_group_on_loopback(tmp_path):
    run_group_scenario(tmp_path, Hosts.loopback())


def test_worker_group_across_hosts(tmp_path, namespaces):
    run_group_scenario(tmp_path, namespaces)
