"""The ingest's live path against a local WebSocket server speaking Coinbase's protocol, including
a single Advanced Trade snapshot frame over 5 MB."""
import json
import os
import random
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest

from bookbus import TUTORIAL, Process, by_topic, free_ports, oracle_events, stop_all

SERVER = Path(__file__).with_name("coinbase_server.py")


def advanced_trade_recording(path, seed=7):
    """A synthetic Advanced Trade session: a >5 MB BTC-USD snapshot, a small ETH-USD one, a
    two-product message, and updates near the touch, with trailing zeros stripped as Coinbase does."""
    rng = random.Random(seed)

    def price(value):
        text = f"{value:.2f}".rstrip("0").rstrip(".")
        return text

    def snapshot(product, mid, levels):
        updates = []
        for i in range(levels):
            updates.append({"side": "bid", "event_time": "2026-08-01T00:00:00Z", "price_level": price(mid - 0.5 - i * 0.01),
                            "new_quantity": f"{rng.randint(1, 10**8) / 10**8:.8f}"})
            updates.append({"side": "offer", "event_time": "2026-08-01T00:00:00Z", "price_level": price(mid + 0.5 + i * 0.01),
                            "new_quantity": f"{rng.randint(1, 10**8) / 10**8:.8f}"})
        return {"type": "snapshot", "product_id": product, "updates": updates}

    sequence = iter(range(1, 10**6))
    frames = []

    def frame(events):
        frames.append(json.dumps({"channel": "l2_data", "client_id": "", "timestamp": f"2026-08-01T00:00:{len(frames):02d}.5Z",
                                  "sequence_num": next(sequence), "events": events}, separators=(",", ":")))

    frame([snapshot("BTC-USD", 65000.0, 27_000)])
    assert len(frames[0]) > 5 * 1024 * 1024
    frame([snapshot("ETH-USD", 3000.0, 500)])
    frames.append(json.dumps({"channel": "heartbeats", "sequence_num": next(sequence),
                              "events": [{"current_time": "x", "heartbeat_counter": 1}]}))
    for step in range(300):
        events = []
        for product, mid in (("BTC-USD", 65000.0), ("ETH-USD", 3000.0)):
            if rng.random() < 0.7:
                side = rng.choice(["bid", "offer"])
                offset = rng.randint(0, 20) * 0.01
                level = mid - 0.5 - offset if side == "bid" else mid + 0.5 + offset
                quantity = "0" if rng.random() < 0.3 else f"{rng.randint(1, 10**6) / 10**6:.6f}".rstrip("0")
                events.append({"type": "update", "product_id": product, "updates": [
                    {"side": side, "event_time": "e", "price_level": price(level), "new_quantity": quantity}]})
        if events:
            frame(events)
    path.write_text("\n".join(frames) + "\n")


def start_server(tmp_path, feed, recording, *extra):
    ready = tmp_path / "server.port"
    server = subprocess.Popen([sys.executable, str(SERVER), "--feed", feed, "--recording", str(recording), "--ready", str(ready),
                               *extra], stderr=open(tmp_path / "server.err", "wb"))
    deadline = time.monotonic() + 20
    while not ready.exists() or not ready.read_text():
        assert time.monotonic() < deadline, (tmp_path / "server.err").read_text()
        time.sleep(0.05)
    return server, int(ready.read_text())


@pytest.mark.parametrize("feed", ["advanced-trade", "exchange"])
def test_live_ingest_from_a_local_coinbase_server(tmp_path, feed):
    if feed == "advanced-trade":
        recording = tmp_path / "advanced-trade.jsonl"
        advanced_trade_recording(recording)
    else:
        recording = TUTORIAL
    expected = by_topic(oracle_events(recording))
    expected_count = sum(len(events) for events in expected.values())
    events, ingest_log, _ = run_live(tmp_path, recording, feed=feed, events="spread,tob",
                                     until_events=lambda lines: len(lines) >= expected_count)
    actual = by_topic(events)
    assert sorted(actual) == sorted(expected)
    for topic in expected:
        mine, reference = actual[topic], expected[topic]
        assert len(mine) == len(reference), topic
        for event, oracle in zip(mine, reference):
            # Advanced Trade strips trailing zeros; the book prints prices at its own scale.
            for key in ("bid", "ask", "spread", "mid", "spread_bps"):
                assert (event[key] is None) == (oracle[key] is None) and (
                    event[key] is None or Decimal(event[key]) == Decimal(oracle[key])), (key, event, oracle)
            assert event["bid_size"] == oracle["bid_size"] and event["ask_size"] == oracle["ask_size"]
            assert event["type"] == oracle["type"] and event["exchange_time"] == oracle["exchange_time"]
    assert "subscribed" in ingest_log


def run_live(tmp_path, recording, feed="advanced-trade", events="tob", server_args=(), ingest_args=(), seconds=None,
             until_events=None, ingest_env=None):
    """Server → ingest → worker → sink, until `until_events(lines)` holds or `seconds` passed (at most
    60 s); every process must then stop cleanly. `ingest_env` adds to the ingest's environment.
    Returns (events, ingest log, server log)."""
    server, ws_port = start_server(tmp_path, feed, recording, *server_args)
    ingest_port, snapshot_port, worker_port = free_ports(3)
    log = tmp_path / "events.log"
    processes = []
    try:
        processes.append(Process("sink", ["sink", "--connect", f"tcp://127.0.0.1:{worker_port}", "--events", events,
                                          "--format", "json", "--log", str(log), "--quiet"], tmp_path))
        processes.append(Process("worker", ["worker", "--shard", "0/1", "--ingest", f"tcp://127.0.0.1:{ingest_port}",
                                             "--snapshots", f"tcp://127.0.0.1:{snapshot_port}",
                                             "--publish", f"tcp://127.0.0.1:{worker_port}", "--wait-for-subscribers", "1"], tmp_path))
        ingest = Process("ingest", ["ingest", "--live", "--feed", feed, "--url", f"ws://127.0.0.1:{ws_port}",
                                    "--products", "BTC-USD,ETH-USD",
                                    "--publish", f"tcp://127.0.0.1:{ingest_port}", "--snapshots", f"tcp://127.0.0.1:{snapshot_port}",
                                    "--wait-for-subscribers", "1", *ingest_args], tmp_path,
                         env={**os.environ, **(ingest_env or {})})
        processes.append(ingest)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            lines = log.read_text().splitlines() if log.exists() else []
            if until_events and until_events(lines):
                break
            if seconds and time.monotonic() > deadline - 60 + seconds:
                break
            for process in processes:
                assert process.popen.poll() is None, f"{process.name} exited:\n{process.stderr()[-3000:]}"
            time.sleep(0.1)
        time.sleep(0.3)  # anything extra would show up now
        statuses = {process.name: process.terminate(timeout=10) for process in reversed(processes)}
        assert statuses == {"sink": 0, "worker": 0, "ingest": 0}
    finally:
        stop_all(processes)
        server.kill()
        server.wait()
    events = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    return events, ingest.stderr(), (tmp_path / "server.err").read_text()


def reference_tops(recording):
    """Every top of book each product goes through, per the oracle."""
    tops = {}
    for event in oracle_events(recording, "every-message"):
        tops.setdefault(event["product"], []).append(tuple(
            None if event[k] is None else Decimal(event[k]) for k in ("bid", "bid_size", "ask", "ask_size")))
    return tops


def shown(event):
    return tuple(None if event[k] is None else Decimal(event[k]) for k in ("bid", "bid_size", "ask", "ask_size"))


def test_products_split_over_several_connections(tmp_path):
    recording = tmp_path / "advanced-trade.jsonl"
    advanced_trade_recording(recording)
    tops = reference_tops(recording)
    final = {product: states[-1] for product, states in tops.items()}
    events, ingest_log, server_log = run_live(
        tmp_path, recording, ingest_args=["--products-per-connection", "1"],
        until_events=lambda lines: all(any(shown(json.loads(l)) == final[p] and json.loads(l)["product"] == p for l in lines)
                                       for p in final))
    assert server_log.count("connection from") == 2
    assert "sent" in server_log and "['BTC-USD']" in server_log and "['ETH-USD']" in server_log
    assert "connection=conn-1 products=BTC-USD" in ingest_log and "connection=conn-2 products=ETH-USD" in ingest_log
    for event in events:
        assert shown(event) in tops[event["product"]], event


def test_advanced_trade_sequence_gap_resubscribes(tmp_path):
    recording = tmp_path / "advanced-trade.jsonl"
    advanced_trade_recording(recording)
    tops = reference_tops(recording)
    events, ingest_log, server_log = run_live(tmp_path, recording, server_args=["--skip-sequence", "40"], seconds=4)
    assert "coinbase sequence gap: resubscribing for fresh snapshots" in ingest_log
    assert "expected=40 got=41" in ingest_log
    assert "reconnecting to coinbase" in ingest_log
    assert server_log.count("connection from") >= 2
    statistics = json.loads((tmp_path / "ingest.stats.json").read_text())["statistics"]
    assert statistics["upstream_gaps"] >= 1
    # Every connection after the first is a reconnect of the one connection.
    assert statistics["reconnects"] == statistics["connections"] - 1 >= 1
    # Whatever was published before and between the gaps showed real states of the books.
    for event in events:
        assert shown(event) in tops[event["product"]], event


def test_silent_connection_is_renewed(tmp_path):
    recording = tmp_path / "advanced-trade.jsonl"
    advanced_trade_recording(recording)
    events, ingest_log, server_log = run_live(
        tmp_path, recording, server_args=["--no-heartbeats"], ingest_args=["--silence-timeout", "1"], seconds=4)
    assert "no message, not even a heartbeat, for 1.0 seconds" in ingest_log
    assert server_log.count("connection from") >= 2
    assert events


def test_a_message_over_the_frame_limit_is_reported_as_the_ingests_own_close(tmp_path):
    """The largest snapshot is one byte over --max-frame-bytes: the ingest closes the connection
    itself and says so, with the size and the setting to raise (it used to blame the server for a
    missing close frame)."""
    recording = tmp_path / "advanced-trade.jsonl"
    advanced_trade_recording(recording)
    largest = max(len(line.encode()) for line in recording.read_text().splitlines())
    limit = largest - 1
    events, ingest_log, server_log = run_live(
        tmp_path, recording, ingest_args=["--max-frame-bytes", str(limit)], seconds=3)
    assert f"the ingest closed the connection: a Coinbase message of {largest} bytes exceeds --max-frame-bytes {limit}; raise ingest.max_frame_bytes" in ingest_log, ingest_log[-2000:]
    assert "connection ended without a close frame from the server" not in ingest_log
    assert server_log.count("connection from") >= 2, "it reconnects"
