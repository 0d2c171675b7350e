"""A product that goes quiet while its connection stays busy: the ingest marks it stale (log,
counter, metric, heartbeat), renews its subscription on the open connection, and the fresh
snapshot the local Coinbase server answers with brings every book back to the truth."""
import json
import time
import urllib.request

import zmq

from bookbus import Process, free_ports, oracle_tops, stop_all, synthetic_exchange_recording
from test_live_websocket import start_server

PRODUCTS = ("AAA-USD", "BBB-USD", "CCC-USD")


def metrics(port):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
            return response.read().decode()
    except OSError:
        return ""


def test_a_quiet_product_is_marked_stale_and_its_subscription_renewed(tmp_path):
    recording = tmp_path / "traffic.jsonl"
    synthetic_exchange_recording(recording, products=PRODUCTS, updates=9_000, seconds=9.0)
    # 1,500 frames a second: 6 s of traffic; AAA-USD goes quiet after 1.5 s, and the server leaves
    # the first renewal unanswered, so the ingest has to renew again (every --stale-after).
    server, server_port = start_server(tmp_path, "exchange", recording, "--pace", "1500",
                                       "--silence", "AAA-USD:1.5:1")
    publish, snapshots, worker_port, metrics_port = free_ports(4)
    log = tmp_path / "events.log"
    processes = []
    context = zmq.Context()
    control = context.socket(zmq.SUB)
    try:
        # A plain ZeroMQ client on the ingest's control topic sees the heartbeat's stale list.
        control.connect(f"tcp://127.0.0.1:{publish}")
        control.setsockopt(zmq.SUBSCRIBE, b"bus/")
        processes.append(Process("sink", ["sink", "--connect", f"tcp://127.0.0.1:{worker_port}", "--events", "tob",
                                          "--format", "json", "--log", str(log), "--quiet"], tmp_path))
        processes.append(Process("worker", [
            "worker", "--products", ",".join(PRODUCTS), "--ingest", f"tcp://127.0.0.1:{publish}",
            "--snapshots", f"tcp://127.0.0.1:{snapshots}", "--publish", f"tcp://127.0.0.1:{worker_port}"], tmp_path))
        ingest = Process("ingest", [
            "ingest", "--live", "--feed", "exchange", "--url", f"ws://127.0.0.1:{server_port}",
            "--products", ",".join(PRODUCTS), "--publish", f"tcp://127.0.0.1:{publish}",
            "--snapshots", f"tcp://127.0.0.1:{snapshots}", "--stale-after", "1",
            "--metrics-listen", f"127.0.0.1:{metrics_port}"], tmp_path)
        processes.append(ingest)

        # While AAA-USD is quiet: its state is stale on the ingest's metrics and in its heartbeats.
        seen_metric, seen_heartbeat = False, False
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not (seen_metric and seen_heartbeat):
            seen_metric = seen_metric or \
                'bookbus_book_state{role="ingest",product="AAA-USD",state="stale"} 1.0' in metrics(metrics_port)
            while control.poll(50):
                _topic, _header, payload = control.recv_multipart()
                beat = json.loads(payload)
                seen_heartbeat = seen_heartbeat or (beat.get("type") == "heartbeat" and beat.get("stale") == ["AAA-USD"])
        assert seen_metric, ingest.stderr()[-3000:]
        assert seen_heartbeat

        # The renewal went out on the open connection, and the server answered with a snapshot.
        deadline = time.monotonic() + 20
        while "renewed AAA-USD" not in (tmp_path / "server.err").read_text():
            assert time.monotonic() < deadline, (tmp_path / "server.err").read_text()
            time.sleep(0.2)
        lines = (tmp_path / "server.err").read_text().splitlines()
        assert lines.count("unsubscribe AAA-USD") == 2 and "ignored a renewal of AAA-USD" in lines
        assert "subscribe AAA-USD" in lines[lines.index("unsubscribe AAA-USD") + 1:]
        assert sum(line.startswith("connection from") for line in lines) == 1, "only the subscription was renewed"

        # The whole recording is sent; every book ends where the recording does, AAA-USD included.
        deadline = time.monotonic() + 30
        while "sent " not in (tmp_path / "server.err").read_text():
            assert time.monotonic() < deadline
            time.sleep(0.2)
        tops = oracle_tops(recording)
        final = {product: tops[max(key for key in tops if key[0] == product)] for product in PRODUCTS}
        deadline = time.monotonic() + 20
        while True:
            last = {}
            for line in log.read_text().splitlines() if log.exists() else []:
                event = json.loads(line)
                last[event["product"]] = (event["bid"], event["bid_size"], event["ask"], event["ask_size"])
            if all(last.get(product) == final[product] for product in PRODUCTS):
                break
            assert time.monotonic() < deadline, f"last events {last} vs the recording's final books {final}"
            time.sleep(0.3)

        text = metrics(metrics_port)
        assert 'bookbus_book_state{role="ingest",product="AAA-USD",state="live"} 1.0' in text
        statuses = {process.name: process.terminate(timeout=15) for process in reversed(processes)}
        assert statuses == {"ingest": 0, "worker": 0, "sink": 0}, statuses
        statistics = ingest.stats()["statistics"]
        assert statistics["stale_products"] == 1 and statistics["subscription_renewals"] == 2
        assert "product stale" in ingest.stderr() and "product fresh again" in ingest.stderr()
    finally:
        control.close(linger=0)
        context.term()
        stop_all(processes)
        server.kill()
        server.wait()
