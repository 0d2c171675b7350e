"""ingest (replay) → N workers → sink, as real processes over TCP loopback."""
import json

import pytest

from bookbus import TEN_PRODUCTS, TEN_PRODUCTS_TIMED, TUTORIAL, Process, by_topic, free_ports, oracle_events, stop_all


def run_topology(tmp_path, recording, workers=2, emit="change", sink_args=(), speed="0", worker_args=(),
                 ingest_args=()):
    """Runs the whole replay topology to its end; returns (sink, workers, ingest)."""
    ports = free_ports(workers + 2)
    ingest_port, snapshot_port, worker_ports = ports[0], ports[1], ports[2:]
    processes = []
    try:
        sink = Process("sink", ["sink", *sum([["--connect", f">tcp://127.0.0.1:{p}"] for p in worker_ports], []),
                                "--exit-after-ends", str(workers), *sink_args], tmp_path)
        processes.append(sink)
        worker_processes = [
            Process(f"worker-{i}", ["worker", "--shard", f"{i}/{workers}", "--ingest", f">tcp://127.0.0.1:{ingest_port}",
                                    "--snapshots", f">tcp://127.0.0.1:{snapshot_port}",
                                    "--publish", f"@tcp://127.0.0.1:{port}", "--wait-for-subscribers", "1",
                                    "--exit-on-end", "--lossless", "--emit", emit, "--name", f"worker-{i}", *worker_args],
                    tmp_path)
            for i, port in enumerate(worker_ports)]
        processes += worker_processes
        ingest = Process("ingest", ["ingest", "--replay", str(recording), "--speed", speed,
                                    "--publish", f"@tcp://127.0.0.1:{ingest_port}",
                                    "--snapshots", f"@tcp://127.0.0.1:{snapshot_port}",
                                    "--wait-for-subscribers", str(workers), *ingest_args], tmp_path)
        processes.append(ingest)
        for process in processes:
            assert process.wait(120) == 0, f"{process.name} failed:\n{process.stderr()[-3000:]}"
        return sink, worker_processes, ingest
    finally:
        stop_all(processes)


def test_tutorial_acceptance_nine_spreads_with_exact_decimals(tmp_path):
    sink, _, _ = run_topology(tmp_path, TUTORIAL, emit="every-message", sink_args=["--min-spread-bps", "1"])
    lines = sink.stdout().splitlines()
    assert len(lines) == 9, sink.stdout()
    btc = [line for line in lines if line.startswith("BTC-USD ")]
    eth = [line for line in lines if line.startswith("ETH-USD ")]
    assert len(btc) == 8 and len(eth) == 1
    for line in btc[:5]:
        assert "spread 2.70 (1.3626 bps)  bid 19814.24 × 0.05000000  ask 19816.94 × 0.50382230  mid 19815.59" in line
    for line in btc[5:]:
        assert "spread 2.70 (1.3626 bps)  bid 19814.24 × 0.04939131  ask 19816.94 × 0.50382230" in line
    assert "spread 0.29 (2.6641 bps)  bid 1088.41 × 7.68896460  ask 1088.70 × 0.12011129  mid 1088.555" in eth[0]
    assert "2.6999999" not in sink.stdout()


def test_tutorial_acceptance_json_format(tmp_path):
    sink, _, _ = run_topology(tmp_path, TUTORIAL, emit="every-message",
                              sink_args=["--min-spread-bps", "1", "--format", "json"])
    events = [json.loads(line) for line in sink.stdout().splitlines()]
    assert [event["spread"] for event in events] == ["2.70"] * 8 + ["0.29"]
    assert events[-1]["bid"] == "1088.41" and events[-1]["ask_size"] == "0.12011129"
    assert all(event["ingest_time_ns"] > 1_600_000_000 * 10**9 for event in events)


@pytest.mark.parametrize("emit", ["change", "every-message"])
def test_every_products_events_equal_the_oracle(tmp_path, emit):
    log = tmp_path / "events.log"
    sink, workers, ingest = run_topology(
        tmp_path, TEN_PRODUCTS, emit=emit,
        sink_args=["--events", "spread,tob", "--format", "json", "--log", str(log), "--quiet"])
    actual = by_topic(json.loads(line) for line in log.read_text().splitlines())
    expected = by_topic(oracle_events(TEN_PRODUCTS, emit))
    assert sorted(actual) == sorted(expected)
    assert len(expected) == 20  # ten products, two event types
    for topic in expected:
        assert actual[topic] == expected[topic], topic
    assert sink.stdout() == ""
    assert sink.statistic("missed_upstream") == 0 and sink.statistic("superseded") == 0


def test_timed_recording_at_recorded_pace(tmp_path):
    """The timed form replayed at 40x: the same events, and the replay takes about 31 s / 40."""
    import time
    started = time.monotonic()
    sink, _, _ = run_topology(tmp_path, TEN_PRODUCTS_TIMED, speed="40",
                              sink_args=["--events", "spread,tob", "--format", "json"])
    elapsed = time.monotonic() - started
    assert elapsed > 0.7
    actual = by_topic(json.loads(line) for line in sink.stdout().splitlines())
    assert actual == by_topic(oracle_events(TEN_PRODUCTS_TIMED))


@pytest.mark.parametrize("workers", [1, 3, 5])
def test_no_product_lost_or_doubled_across_worker_counts(tmp_path, workers):
    sink, worker_processes, _ = run_topology(
        tmp_path, TEN_PRODUCTS, workers=workers, sink_args=["--events", "spread,tob", "--format", "json"])
    actual = by_topic(json.loads(line) for line in sink.stdout().splitlines())
    assert actual == by_topic(oracle_events(TEN_PRODUCTS))
    # Each product was kept by exactly one worker.
    owners = {}
    for worker in worker_processes:
        for product in worker.stats()["products"]:
            owners.setdefault(product, []).append(worker.name)
    assert sorted(owners) == sorted({product for product, _ in actual})
    assert all(len(names) == 1 for names in owners.values()), owners


def test_bad_input_is_rejected_counted_and_harmless(tmp_path):
    clean = TUTORIAL.read_text().splitlines()
    bad = [
        "{not json at all",
        '{"type":"l2update","product_id":"BTC-USD","changes":[["buy","-5","1"]],"time":"x"}',
        '{"type":"l2update","product_id":"BTC-USD","changes":[["buy","1.0000000000000000001","1"]],"time":"x"}',
        '{"type":"l2update","product_id":"BTC-USD","changes":[["hold","1","1"]],"time":"x"}',
        '{"type":"l2update","product_id":"BTC-USD","changes":[["buy","abc","1"]],"time":"x"}',
        '{"type":"l2update","product_id":"BTC/USD","changes":[["buy","1","1"]],"time":"x"}',
        '{"type":"l2update","product_id":"ETH-USD","changes":[["buy",5,"1"]],"time":"x"}',
        '{"type":"mystery","product_id":"BTC-USD"}',
        '{"type":"error","message":"Failed to subscribe","reason":"testing"}',
        '[1,2,3]',
    ]
    mixed = tmp_path / "mixed.jsonl"
    # An update for a product never snapshotted comes first; then the bad lines between good ones.
    lines = ['{"type":"l2update","product_id":"BTC-USD","changes":[["buy","1","1"]],"time":"early"}']
    for index, line in enumerate(clean):
        lines.append(line)
        if index >= 2 and bad:
            lines.append(bad.pop(0))
    lines += bad
    mixed.write_text("\n".join(lines) + "\n")
    sink, workers, ingest = run_topology(tmp_path, mixed, sink_args=["--events", "spread,tob", "--format", "json"])
    actual = by_topic(json.loads(line) for line in sink.stdout().splitlines())
    assert actual == by_topic(oracle_events(TUTORIAL))
    worker_logs = "".join(worker.stderr() for worker in workers)
    # Five book messages are refused; the unknown "mystery" type is merely counted as another kind,
    # and the update before any snapshot waits for one (which the stream then brings).
    assert worker_logs.count("message rejected") == 5, worker_logs
    assert sum(worker.statistic("rejected") for worker in workers) == 5
    assert sum(worker.statistic("resyncs_by_reason")["update_before_snapshot"] for worker in workers) > 0
    assert "is negative" in worker_logs and "fractional digits exceed" in worker_logs
    assert "unknown side" in worker_logs
    assert "coinbase error message" in ingest.stderr() and "reason=testing" in ingest.stderr()
    assert ingest.statistic("unroutable") == 3  # not JSON, an array, a product id with '/'


def test_sink_log_appends_whole_lines_and_repairs_a_partial_tail(tmp_path):
    log = tmp_path / "spreads.log"
    log.write_bytes(b"earlier line\nhalf a li")
    sink, _, _ = run_topology(tmp_path, TUTORIAL, emit="every-message",
                              sink_args=["--min-spread-bps", "1", "--log", str(log)])
    content = log.read_text()
    assert content.startswith("earlier line\nBTC-USD spread 2.70")
    assert content.endswith("\n")
    assert len(content.splitlines()) == 10
    assert "removed a partial last line" in sink.stderr()
    # Appending again keeps what is there.
    run_topology(tmp_path, TUTORIAL, emit="every-message", sink_args=["--min-spread-bps", "1", "--log", str(log), "--quiet"])
    assert len(log.read_text().splitlines()) == 19
