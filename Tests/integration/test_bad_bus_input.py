"""A hostile or broken peer on the bus: a fake ingest (pyzmq XPUB + ROUTER) sends malformed
multipart messages and wrong snapshot replies to a real worker. Each is rejected with a log line
and a counter; the worker's book and events stay right."""
import json
import struct
import time

import zmq

from bookbus import Process, free_ports, stop_all

HEADER = struct.Struct(">B7xQQQ")
EPOCH = 77


def header(sequence, version=4):
    return HEADER.pack(version, EPOCH, sequence, time.time_ns())


def verbatim(message):
    """A parsed/ payload carrying a Coinbase message as received (form 0, README's wire protocol)."""
    return b"\x00" + json.dumps(message).encode()


def decimal(text):
    """(mantissa, scale) of a plain decimal string."""
    whole, _, fraction = text.partition(".")
    return int(whole + fraction), len(fraction)


def updates(exchange_time, changes):
    """A parsed/ payload of one book update (form 1): changes as (side, price, size) strings."""
    time_bytes = exchange_time.encode()
    payload = struct.pack("<BBB", 1, 1, len(time_bytes)) + time_bytes + struct.pack("<I", len(changes))
    for side, price, size in changes:
        payload += struct.pack("<BqBqB", 0 if side == "bid" else 1, *decimal(price), *decimal(size))
    return payload


def wait_for_bookbus_subscriber(publisher, process):
    """A BookBus subscriber subscribes to bus/ last: once that arrives on the XPUB, it is ready."""
    poller = zmq.Poller()
    poller.register(publisher, zmq.POLLIN)
    while True:
        assert poller.poll(10_000), process.stderr()
        if publisher.recv() == b"\x01bus/":
            return


def test_worker_rejects_malformed_bus_messages_and_wrong_snapshot_replies(tmp_path):
    ingest_port, snapshot_port, worker_port = free_ports(3)
    context = zmq.Context()
    publisher = context.socket(zmq.XPUB)
    publisher.setsockopt(zmq.LINGER, 0)
    publisher.bind(f"tcp://127.0.0.1:{ingest_port}")
    router = context.socket(zmq.ROUTER)
    router.setsockopt(zmq.LINGER, 0)
    router.bind(f"tcp://127.0.0.1:{snapshot_port}")
    events = context.socket(zmq.SUB)
    events.setsockopt(zmq.LINGER, 0)
    events.connect(f"tcp://127.0.0.1:{worker_port}")
    events.setsockopt(zmq.SUBSCRIBE, b"tob/")
    events.setsockopt(zmq.SUBSCRIBE, b"bus/")
    worker = Process("worker", ["worker", "--products", "BTC-USD", "--ingest", f"tcp://127.0.0.1:{ingest_port}",
                                "--snapshots", f"tcp://127.0.0.1:{snapshot_port}", "--publish", f"tcp://127.0.0.1:{worker_port}",
                                "--wait-for-subscribers", "1"], tmp_path)
    try:
        wait_for_bookbus_subscriber(publisher, worker)
        # It asks for BTC-USD at start; answer wrongly three times, then rightly.
        identity, command, product = router.recv_multipart()
        assert (command, product) == (b"SNAPSHOT", b"BTC-USD")
        eth_book = json.dumps({"type": "snapshot", "product_id": "ETH-USD", "bids": [["1", "1"]], "asks": [["2", "1"]]}).encode()
        router.send_multipart([identity, b"raw/ETH-USD/", header(0), eth_book])  # not asked for
        router.send_multipart([identity, b"raw/BTC-USD/", header(0), eth_book])  # the wrong product's book
        router.send_multipart([identity, b"raw/BTC-USD/", header(0)])  # a frame missing
        btc_book = json.dumps({"type": "snapshot", "product_id": "BTC-USD",
                               "bids": [["100.00", "1.5"], ["99.00", "2"]], "asks": [["101.00", "3"]]}).encode()
        router.send_multipart([identity, b"raw/BTC-USD/", header(0), btc_book, btc_book])  # two payloads
        router.send_multipart([identity, b"raw/BTC-USD/", header(0), btc_book])
        # Malformed bus messages, then a good update. Workers read the ingest's parsed/ topics.
        publisher.send_multipart([b"parsed/BTC-USD/"])
        publisher.send_multipart([b"parsed/BTC-USD/", b"short"])
        publisher.send_multipart([b"parsed/BTC-USD/", b"x" * 31, b"{}"])
        publisher.send_multipart([b"parsed/BTC-USD/", header(1, version=9), b"{}"])
        publisher.send_multipart([b"parsed/BTC-USD/", header(1, version=3), b"{}"])  # the previous protocol
        publisher.send_multipart([b"parsed/BTC-USD/extra/", header(1), b"{}"])
        update = {"type": "l2update", "product_id": "BTC-USD", "changes": [["buy", "100.50", "0.25"]], "time": "t1"}
        publisher.send_multipart([b"parsed/BTC-USD/", header(1), verbatim(update)])
        # A batch: two messages in one, sequences 2 and 3, the second as the ingest parses updates.
        first = {"type": "l2update", "product_id": "BTC-USD", "changes": [["buy", "100.75", "1"]], "time": "t2"}
        publisher.send_multipart([b"parsed/BTC-USD/", header(2), verbatim(first), updates("t3", [("ask", "100.90", "2")])])
        # A parsed payload no ingest writes is refused alone; the next message is applied.
        publisher.send_multipart([b"parsed/BTC-USD/", header(4), b"\x07" + json.dumps(first).encode()])
        publisher.send_multipart([b"parsed/BTC-USD/", header(5), updates("t5", [("ask", "100.80", "1")])])
        received = []
        sub_poller = zmq.Poller()
        sub_poller.register(events, zmq.POLLIN)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not any(e.get("source_seq") == 5 for e in received):
            if sub_poller.poll(200):
                topic, _, *payloads = events.recv_multipart()
                if topic.startswith(b"tob/"):
                    received.extend(json.loads(payload) for payload in payloads)
        assert worker.terminate() == 0
    finally:
        stop_all([worker])
        for socket in (publisher, router, events):
            socket.close()
        context.term()
    assert [(e["bid"], e["bid_size"], e["ask"], e["ask_size"], e["source_seq"]) for e in received] == [
        ("100.00", "1.5", "101.00", "3", 0), ("100.50", "0.25", "101.00", "3", 1),
        ("100.75", "1", "101.00", "3", 2), ("100.75", "1", "100.90", "2", 3), ("100.75", "1", "100.80", "1", 5)]
    assert [e["exchange_time"] for e in received] == [None, "t1", "t2", "t3", "t5"]
    log = worker.stderr()
    assert log.count("bus message rejected") == 6, log
    assert "header version 3 unsupported; this build speaks version 4" in log
    assert "parsed payload refused: form 7; expected 0 (verbatim) or 1 (updates)" in log
    assert worker.statistic("rejected_by_reason")["bad_parsed_payload"] == 1
    assert log.count("snapshot reply rejected") == 4, log
    assert "did not ask for" in log and "its topic names BTC-USD but its book is ETH-USD" in log
    assert "it has 2 payloads; a snapshot reply has one" in log
    assert worker.statistic("bad_snapshot_replies") == 4


def test_sink_reports_gaps_in_event_streams_and_at_the_tail(tmp_path):
    (port,) = free_ports(1)
    context = zmq.Context()
    publisher = context.socket(zmq.XPUB)
    publisher.setsockopt(zmq.LINGER, 0)
    publisher.bind(f"tcp://127.0.0.1:{port}")
    sink = Process("sink", ["sink", "--connect", f"tcp://127.0.0.1:{port}", "--format", "json"], tmp_path)
    try:
        wait_for_bookbus_subscriber(publisher, sink)
        event = {"type": "spread", "product": "BTC-USD", "bid": "1", "bid_size": "1", "ask": "2", "ask_size": "1",
                 "spread": "1", "mid": "1.5", "spread_bps": "6666.6667", "crossed": False, "exchange_time": None,
                 "ingest_time_ns": 1, "source_seq": 1, "worker": "fake-worker", "generation": 0}
        for sequence in (1, 2, 5):  # 3 and 4 lost
            publisher.send_multipart([b"spread/BTC-USD/", header(sequence), json.dumps(event).encode()])
        # A batch: two events in one message, sequences 6 and 7.
        publisher.send_multipart([b"spread/BTC-USD/", header(6)] + [json.dumps(event).encode()] * 2)
        # The heartbeat says 11 went out: 10 and 11 were lost at the tail. Control messages go one
        # by one: the same heartbeat twice in one message is refused.
        beat = {"type": "heartbeat", "publisher": "fake-worker", "epoch": str(EPOCH), "sequences": {"spread/BTC-USD/": 11}}
        publisher.send_multipart([b"bus/", header(1)] + [json.dumps(beat).encode()] * 2)
        # Passed through as published, an event must be one JSON object on one line.
        publisher.send_multipart([b"spread/BTC-USD/", header(8), b'{"type":\n"spread"}'])
        publisher.send_multipart([b"spread/BTC-USD/", header(9), b"[1]"])
        publisher.send_multipart([b"bus/", header(2), json.dumps(beat).encode()])
        deadline = time.monotonic() + 10
        while sink.stderr().count("sequence gap: messages lost") < 2:
            assert time.monotonic() < deadline, sink.stderr()
            time.sleep(0.05)
        assert sink.terminate() == 0
    finally:
        stop_all([sink])
        publisher.close()
        context.term()
    assert len(sink.stdout().splitlines()) == 5
    log = sink.stderr()
    assert "expected=3 got=5" in log and "seen_by=sequence" in log
    assert "expected=10 got=12" in log and "seen_by=heartbeat of fake-worker" in log
    assert sink.statistic("missed_upstream") == 4
    assert "bus message has 4 frames; expected 3 (topic, header, payload), or more on a data topic such as raw/, parsed/ or tob/" in log
    assert log.count("not one JSON object on one line") == 2 and sink.statistic("rejected") == 3
