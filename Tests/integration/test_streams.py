"""The worker's opt-in streams (depth, conflation, analytics, trades, bars) through the whole topology, as
real processes, against the independent Decimal oracle (Tests/oracle/stream_oracle.py), and read
by a pyzmq subscriber that knows only README.md's wire protocol."""
import json
import signal
import subprocess
import sys
import time
from decimal import Decimal

import pytest
import zmq

from bookbus import ROOT, TEN_PRODUCTS_TIMED, Process, decode, free_ports, stop_all, synthetic_exchange_recording
from test_pipeline import run_topology

STREAM_ORACLE = ROOT / "Tests" / "oracle" / "stream_oracle.py"
RECORDED = ["--replay-clock", "recorded"]


def oracle(recording, *arguments):
    output = subprocess.run([sys.executable, str(STREAM_ORACLE), str(recording), *arguments],
                            check=True, capture_output=True, text=True).stdout
    return [json.loads(line) for line in output.splitlines()]


def published(tmp_path, recording, families, worker_args, speed="0"):
    """Every event of `families` the topology publishes for `recording`, as JSON, grouped by
    (product, type) in order."""
    log = tmp_path / "events.log"
    run_topology(tmp_path, recording, speed=speed, ingest_args=RECORDED,
                 worker_args=["--streams", families, *worker_args],
                 sink_args=["--events", families, "--format", "json", "--log", str(log), "--quiet"])
    return group(json.loads(line) for line in log.read_text().splitlines())


def group(events, fields=None):
    grouped = {}
    for event in events:
        if fields:
            event = {key: event.get(key) for key in fields}
        grouped.setdefault((event["product"], event["type"]), []).append(event)
    return grouped


def project(grouped, fields):
    return {topic: [{key: event.get(key) for key in fields} for event in events] for topic, events in grouped.items()}


DEPTH_FIELDS = ("type", "product", "levels", "bids", "asks", "source_seq", "exchange_time", "interval_end_ns")
TOP_FIELDS = ("type", "product", "bid", "bid_size", "ask", "ask_size", "spread", "mid", "spread_bps", "source_seq",
              "exchange_time", "interval_end_ns")


def test_depth_on_change_equals_the_oracle(tmp_path):
    actual = published(tmp_path, TEN_PRODUCTS_TIMED, "depth", ["--depth-levels", "5"])
    expected = group(e for e in oracle(TEN_PRODUCTS_TIMED, "--depth", "5") if e["type"] == "depth")
    assert len(expected) == 10
    assert project(actual, DEPTH_FIELDS) == project(expected, DEPTH_FIELDS)


@pytest.mark.parametrize("speed", ["0", "4"])
def test_conflated_events_equal_the_oracle_at_any_replay_speed(tmp_path, speed):
    """100 ms conflation of top of book, spread and depth 3 over the real recording, at full
    speed and at 4x the recorded pace: the same events, each the book as of its interval's end."""
    actual = published(tmp_path, TEN_PRODUCTS_TIMED, "tob,spread,depth",
                       ["--depth-levels", "3", "--interval-ms", "100"], speed=speed)
    expected = group(oracle(TEN_PRODUCTS_TIMED, "--depth", "3", "--conflate-ms", "100"))
    assert len(expected) == 30
    fields = sorted(set(TOP_FIELDS) | set(DEPTH_FIELDS))
    assert project(actual, fields) == project(expected, fields)
    for events in actual.values():
        ends = [event["interval_end_ns"] for event in events]
        assert ends == sorted(set(ends)), "at most one event per product and stream per interval"
        assert all(end % 100_000_000 == 0 for end in ends), "aligned to multiples of the interval"


def test_conflation_can_repeat_unchanged_books(tmp_path):
    recording = tmp_path / "synthetic.timed.jsonl"
    synthetic_exchange_recording(recording, updates=3_000, seconds=3.0)
    actual = published(tmp_path, recording, "tob", ["--interval-ms", "250", "--repeat-unchanged"])
    expected = group(event for event in oracle(recording, "--conflate-ms", "250", "--repeat") if event["type"] == "tob")
    assert project(actual, TOP_FIELDS) == project(expected, TOP_FIELDS)
    assert all(len(events) >= 11 for events in actual.values()), "every interval of 3 s, changed or not"


ANALYTICS_FIELDS = ("type", "product", "source_seq", "exchange_time", "interval_end_ns", "mid", "microprice",
                    "imbalance_levels", "imbalance", "bands", "impact")
# The same analytics settings, as the worker's flags and as the oracle's.
ANALYTICS_SETTINGS = {"imbalance-levels": "3", "bands-bps": "10,50,2.5", "sizes": "1,0.001", "notionals": "1000,250000"}


DECIMAL_FIELDS = {"mid", "microprice", "imbalance", "bps", "bid_size", "ask_size", "size", "notional", "filled",
                  "average_price", "slippage_bps"}


def numbers(value, key=None):
    """Every decimal field as a Decimal, so that `1.50` and `1.5` compare equal."""
    if isinstance(value, dict):
        return {name: numbers(item, name) for name, item in value.items()}
    if isinstance(value, list):
        return [numbers(item) for item in value]
    return Decimal(value) if key in DECIMAL_FIELDS and value is not None else value


def analytics_of(tmp_path, recording, worker_args=(), oracle_args=()):
    """The analytics events published and the oracle's, numbers as Decimals."""
    worker_settings = [word for name, value in ANALYTICS_SETTINGS.items() for word in (f"--analytics-{name}", value)]
    oracle_settings = [word for name, value in ANALYTICS_SETTINGS.items() for word in (f"--{name}", value)]
    actual = published(tmp_path, recording, "analytics", [*worker_settings, *worker_args])
    expected = group(e for e in oracle(recording, "--analytics", *oracle_settings, *oracle_args)
                     if e["type"] == "analytics")
    return numbers(project(actual, ANALYTICS_FIELDS)), numbers(project(expected, ANALYTICS_FIELDS))


def test_analytics_on_change_equal_the_oracle(tmp_path):
    """Microprice, imbalance, bands and market-order walks (by size and by notional, one deep enough
    to leave the touch and some books too thin to fill it) on the real recording."""
    actual, expected = analytics_of(tmp_path, TEN_PRODUCTS_TIMED)
    assert len(expected) == 10
    assert actual == expected
    impacts = [impact for events in expected.values() for event in events for impact in event["impact"]]
    assert any(impact.get("notional") and impact["filled"] < impact["notional"] for impact in impacts), \
        "a thin book fills part of the large order"
    assert any(impact["slippage_bps"] > 0 for impact in impacts)


def test_conflated_analytics_on_generated_traffic_equal_the_oracle(tmp_path):
    recording = tmp_path / "synthetic.timed.jsonl"
    synthetic_exchange_recording(recording, updates=3_000, seconds=3.0)
    actual, expected = analytics_of(tmp_path, recording, ["--interval-ms", "100"], ["--conflate-ms", "100"])
    assert expected and actual == expected
    assert all(event["interval_end_ns"] % 100_000_000 == 0 for events in actual.values() for event in events)


def test_trades_and_bars_equal_the_oracle(tmp_path):
    actual = published(tmp_path, TEN_PRODUCTS_TIMED, "trade,bar", ["--bar-intervals", "1s,10s"])
    trades = group(event for event in oracle(TEN_PRODUCTS_TIMED, "--trades") if event["type"] == "trade")
    bars = group(e for e in oracle(TEN_PRODUCTS_TIMED, "--bars", "1s,10s") if e["type"] == "bar")
    trade_fields = ("type", "product", "trade_id", "price", "size", "side", "exchange_time", "source_seq")
    bar_fields = ("type", "product", "interval", "start_ns", "end_ns", "open", "high", "low", "close", "volume",
                  "notional", "vwap", "trades", "complete")
    assert sum(len(events) for events in trades.values()) == 97  # the recording's matches
    assert project({k: v for k, v in actual.items() if k[1] == "trade"}, trade_fields) == project(trades, trade_fields)
    assert project({k: v for k, v in actual.items() if k[1] == "bar"}, bar_fields) == project(bars, bar_fields)
    assert any(bar["complete"] for events in bars.values() for bar in events)
    assert any(not bar["complete"] for events in bars.values() for bar in events)


def test_a_skipped_trade_id_is_counted_and_its_bar_marked(tmp_path):
    """A recording with one match removed: the worker counts the gap and the bar holding the
    next trade says it may miss trades."""
    lines = TEN_PRODUCTS_TIMED.read_text().splitlines()
    removed = next(i for i, line in enumerate(lines) if '\\"type\\":\\"match\\"' in line and "SKL-USD" in line
                   and i > len(lines) // 2)
    recording = tmp_path / "gap.timed.jsonl"
    recording.write_text("\n".join(lines[:removed] + lines[removed + 1:]) + "\n")
    sink, workers, _ = run_topology(tmp_path, recording, ingest_args=RECORDED,
                                    worker_args=["--streams", "bar", "--bar-intervals", "1s"],
                                    sink_args=["--events", "bar", "--format", "json"])
    assert sum(worker.statistic("missed_trades") for worker in workers) == 1
    assert any("trades missed" in worker.stderr() for worker in workers)
    expected = group(e for e in oracle(recording, "--bars", "1s") if e["type"] == "bar")
    actual = group(json.loads(line) for line in sink.stdout().splitlines())
    assert project(actual, ("start_ns", "trades", "complete")) == project(expected, ("start_ns", "trades", "complete"))
    incomplete = [bar for bar in actual[("SKL-USD", "bar")] if not bar["complete"]]
    assert len(incomplete) >= 2, "the first bar (begun before the replay) and the one after the gap"
    assert [e for e in oracle(recording, "--trades") if e["type"] == "missed"][0]["missed"] == 1


def test_the_sink_prints_every_new_stream_readably(tmp_path):
    sink, _, _ = run_topology(tmp_path, TEN_PRODUCTS_TIMED, ingest_args=RECORDED,
                              worker_args=["--streams", "depth,trade,bar", "--depth-levels", "2", "--bar-intervals", "10s"],
                              sink_args=["--events", "depth,trade,bar"])
    text = sink.stdout()
    assert "SKL-USD trade buy 450 @ 0.791  id 1568268  at 2021-04-17T16:43:37.121358Z" in text
    assert "  27.51  14.7693 | 14.8024  12.77\n" in text  # BAND-GBP's snapshot, the best level a side
    assert " bar 10s  O " in text and "VWAP " in text


def test_a_readme_subscriber_receives_depth_and_trades(tmp_path):
    """Only what the README's wire-protocol section says: topics `depth/` and `trade/`, the header,
    one JSON payload per frame."""
    ingest_port, snapshot_port, worker_port = free_ports(3)
    context = zmq.Context()
    subscriber = context.socket(zmq.SUB)
    subscriber.setsockopt(zmq.LINGER, 0)
    subscriber.connect(f"tcp://127.0.0.1:{worker_port}")
    for prefix in (b"depth/", b"trade/", b"bar/", b"bus/"):
        subscriber.setsockopt(zmq.SUBSCRIBE, prefix)
    processes = []
    try:
        processes = [
            Process("worker", ["worker", "--shard", "0/1", "--ingest", f"tcp://127.0.0.1:{ingest_port}",
                               "--snapshots", f"tcp://127.0.0.1:{snapshot_port}", "--publish", f"tcp://127.0.0.1:{worker_port}",
                               "--wait-for-subscribers", "1", "--exit-on-end", "--lossless", "--name", "worker-0",
                               "--streams", "depth,trade,bar", "--depth-levels", "10", "--bar-intervals", "1s"], tmp_path),
            Process("ingest", ["ingest", "--replay", str(TEN_PRODUCTS_TIMED), "--replay-clock", "recorded",
                               "--publish", f"tcp://127.0.0.1:{ingest_port}", "--snapshots", f"tcp://127.0.0.1:{snapshot_port}",
                               "--wait-for-subscribers", "1"], tmp_path)]
        seen, ended = {}, False
        poller = zmq.Poller()
        poller.register(subscriber, zmq.POLLIN)
        while not ended:
            assert poller.poll(30_000), "no message for 30 s"
            topic, epoch, sequence, received_ns, payloads = decode(subscriber.recv_multipart())
            for payload in payloads:
                message = json.loads(payload)
                if topic == "bus/":
                    ended = ended or message["type"] == "end_of_stream"
                    continue
                family = topic.split("/")[0]
                assert topic == f"{family}/{message['product']}/" and message["type"] == family
                seen.setdefault(family, []).append(message)
        assert processes[0].wait(30) == 0
    finally:
        stop_all(processes)
        subscriber.close()
        context.term()
    assert {"depth", "trade", "bar"} <= set(seen)
    depth = seen["depth"][0]
    assert depth["levels"] == 10 and all(len(level) == 2 for level in depth["bids"] + depth["asks"])
    assert all(set(trade) >= {"trade_id", "price", "size", "side", "exchange_time"} for trade in seen["trade"])
    assert all(bar["volume"] and bar["trades"] > 0 for bar in seen["bar"])


def state_as_of(expected, event):
    """The oracle's last event of the event's product and type at or before the message it names:
    the stream's content after that message (on-change events are published whenever it changes)."""
    import bisect
    events = expected[(event["product"], event["type"])]
    index = bisect.bisect_right([e["source_seq"] for e in events], event["source_seq"]) - 1
    assert index >= 0, f"{event['type']} of {event['product']} at {event['source_seq']} precedes the book"
    return events[index]


PRODUCTS = ("AAA-USD", "BBB-USD", "CCC-USD")


def latest_depths(source):
    """{(worker, product): the source sequence of its latest depth event}, from a sink's JSON log
    (what it has written so far) or from a list of events."""
    if isinstance(source, list):
        events = source
    else:
        lines = source.read_text().splitlines() if source.exists() else []
        events = [json.loads(line) for line in lines if '"type":"depth"' in line]
    latest = {}
    for event in events:
        key = (event["worker"], event["product"])
        latest[key] = max(latest.get(key, 0), event["source_seq"])
    return latest


STATE_FIELDS = {"tob": ("bid", "bid_size", "ask", "ask_size"), "depth": ("bids", "asks"),
                "analytics": ("mid", "microprice", "imbalance", "bands", "impact")}


def test_after_forced_gaps_no_stream_shows_a_state_the_book_never_had(tmp_path):
    """Two paused workers (one on change, one conflated to 100 ms) lose messages at the ingest's
    high-water mark and resynchronise: every top-of-book, depth and analytics event still shows the
    book exactly as of the message it names, and every bar that lost trades says so."""
    from test_faults import Topology, wait_until
    recording = tmp_path / "busy.timed.jsonl"
    # 1 k messages/s, which a debug-build worker keeps up with: it loses messages only while paused.
    synthetic_exchange_recording(recording, updates=10_000, seconds=10.0, trade_every=20)
    expected = group(oracle(recording, "--depth", "5", "--analytics"))
    streams = ["--streams", "tob,depth,analytics,bar", "--depth-levels", "5", "--bar-intervals", "1s"]
    # Small queues and kernel buffers: a pause loses messages, and a woken worker meets the gap at once.
    small = ["--hwm", "20", "--socket-buffer", "16384"]
    common = [*small, "--wait-for-subscribers", "1", *streams]
    topology = Topology(tmp_path, workers=2)
    try:
        topology.sink(events="tob,depth,analytics,bar")
        # Both own every product: one publishes on change, the other once per interval.
        workers = [topology.worker(0, *common, shard="0/1"),
                   topology.worker(1, *common, "--interval-ms", "100", shard="0/1")]
        topology.ingest("--replay", str(recording), *RECORDED, "--speed", "1", "--no-lossless", *small,
                        "--wait-for-subscribers", "2")
        time.sleep(1.5)
        for worker in workers:
            worker.popen.send_signal(signal.SIGSTOP)  # paused: their queues fill, the ingest drops
        time.sleep(2.0)
        paused_at = latest_depths(topology.log)
        for worker in workers:
            worker.popen.send_signal(signal.SIGCONT)

        def repaired(worker):
            report = worker.stats()
            stats, name = report["statistics"], worker.name
            return (stats["resyncs_by_reason"]["sequence_gap"] + stats["resyncs_by_reason"]["heartbeat_shows_loss"] > 0
                    and stats["snapshots_applied"] > 0 and set(report["products"].values()) == {"live"} and
                    all(latest_depths(topology.log).get((name, product), 0) > paused_at.get((name, product), 0)
                        for product in PRODUCTS))
        # The replay goes on: each worker resynchronises from the snapshot service and publishes
        # every product again.
        wait_until(lambda: all(repaired(worker) for worker in workers), timeout=5.0,
                   what="both workers to resynchronise and publish every product after the pause")
        time.sleep(0.5)  # a few more events on repaired books
        statuses = topology.stop()
    finally:
        topology.close()
    assert set(statuses.values()) == {0}, statuses
    for worker in workers:
        reasons = worker.statistic("resyncs_by_reason")
        assert reasons["sequence_gap"] + reasons["heartbeat_shows_loss"] > 0, reasons
        assert worker.statistic("snapshots_applied") > 0
    events = topology.events()
    bars = {(bar["product"], bar["start_ns"]): bar for bar in oracle(recording, "--bars", "1s") if bar["type"] == "bar"}
    bar_fields = ("open", "high", "low", "close", "volume", "notional", "vwap", "trades")
    short_bars = 0
    for worker, conflated in (("worker-0", False), ("worker-1", True)):
        mine = [event for event in events if event["worker"] == worker]
        shown = {kind: [event for event in mine if event["type"] == kind] for kind in STATE_FIELDS}
        assert all(len(kinds) >= 5 for kinds in shown.values()), {kind: len(e) for kind, e in shown.items()}
        for event in (event for kind in STATE_FIELDS for event in shown[kind]):
            assert ("interval_end_ns" in event) == conflated
            fields = STATE_FIELDS[event["type"]]
            reference = state_as_of(expected, event)
            assert numbers({key: event[key] for key in fields}) == numbers({key: reference[key] for key in fields}), \
                f"{worker}: {event['type']} of {event['product']} at {event['source_seq']}"
        # Every product published again after the pause, with a book repaired from the service.
        resumed = latest_depths([event for event in mine if event["type"] == "depth"])
        assert all(resumed[(worker, product)] > paused_at.get((worker, product), 0) for product in PRODUCTS), \
            (worker, paused_at, resumed)
        # A bar is either the one every trade makes, or marked incomplete.
        differing = [bar for bar in mine if bar["type"] == "bar" and
                     {key: bar[key] for key in bar_fields} != {key: bars[(bar["product"], bar["start_ns"])][key]
                                                              for key in bar_fields}]
        assert all(not bar["complete"] for bar in differing), f"{worker}: a bar missing trades claims to be complete"
        short_bars += len(differing)
    assert sum(worker.statistic("missed_trades") for worker in workers) > 0
    assert short_bars > 0, "the pause lost trades from some bar"
