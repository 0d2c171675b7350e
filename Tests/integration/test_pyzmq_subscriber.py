"""A third-party subscriber written with pyzmq, using only README.md's wire-protocol section,
attached to every worker of a real topology."""
import json

import zmq

from bookbus import TEN_PRODUCTS, Process, by_topic, decode, free_ports, oracle_events, stop_all


def test_pyzmq_subscriber_receives_and_decodes_spread_events(tmp_path):
    workers = 2
    ingest_port, snapshot_port, *worker_ports = free_ports(workers + 2)
    context = zmq.Context()
    subscriber = context.socket(zmq.SUB)
    subscriber.setsockopt(zmq.LINGER, 0)
    for port in worker_ports:
        subscriber.connect(f"tcp://127.0.0.1:{port}")
    # README: subscribe to "spread/" for every product's spread, and "bus/" for control messages.
    subscriber.setsockopt(zmq.SUBSCRIBE, b"spread/")
    subscriber.setsockopt(zmq.SUBSCRIBE, b"bus/")
    processes = []
    try:
        processes = [
            Process(f"worker-{i}", ["worker", "--shard", f"{i}/{workers}", "--ingest", f"tcp://127.0.0.1:{ingest_port}",
                                    "--snapshots", f"tcp://127.0.0.1:{snapshot_port}",
                                    "--publish", f"tcp://127.0.0.1:{port}", "--wait-for-subscribers", "1",
                                    "--exit-on-end", "--lossless", "--name", f"worker-{i}"], tmp_path)
            for i, port in enumerate(worker_ports)]
        processes.append(Process("ingest", ["ingest", "--replay", str(TEN_PRODUCTS), "--publish",
                                            f"tcp://127.0.0.1:{ingest_port}", "--snapshots", f"tcp://127.0.0.1:{snapshot_port}",
                                            "--wait-for-subscribers", "2"], tmp_path))
        events, ended, sequences, batches = [], set(), {}, 0
        poller = zmq.Poller()
        poller.register(subscriber, zmq.POLLIN)
        while len(ended) < workers:
            assert poller.poll(30_000), "no message for 30 s"
            topic, epoch, sequence, received_ns, payloads = decode(subscriber.recv_multipart())
            if topic == "bus/":
                (payload,) = payloads  # control messages go one by one
                message = json.loads(payload)
                assert message["type"] in ("heartbeat", "end_of_stream")
                if message["type"] == "end_of_stream":
                    ended.add(message["publisher"])
                else:
                    assert int(message["epoch"]) == epoch and isinstance(message["sequences"], dict)
                continue
            # Sequence numbers count 1, 2, 3, ... per topic within an epoch (payload i of a batch has
            # sequence + i): no gap here.
            previous = sequences.get(topic)
            assert previous is None or previous == (epoch, sequence - 1)
            sequences[topic] = (epoch, sequence + len(payloads) - 1)
            batches += len(payloads) > 1
            assert received_ns > 0
            for payload in payloads:
                message = json.loads(payload)
                assert topic == f"spread/{message['product']}/"
                assert message["type"] == "spread"
                events.append(message)
        for process in processes:
            assert process.wait(30) == 0, process.stderr()
    finally:
        stop_all(processes)
        subscriber.close()
        context.term()
    expected = by_topic(event for event in oracle_events(TEN_PRODUCTS) if event["type"] == "spread")
    assert by_topic(events) == expected
    assert batches > 0, "a full-speed replay makes batches of events"
    assert len(expected) == 10
    assert ended == {"worker-0", "worker-1"}


def raw_messages_of(recording, max_batch, tmp_path):
    """Replays `recording` at full speed to a pyzmq subscriber of every raw topic; returns the
    decoded bus messages until the end of stream."""
    (port,) = free_ports(1)
    context = zmq.Context()
    subscriber = context.socket(zmq.SUB)
    subscriber.setsockopt(zmq.LINGER, 0)
    subscriber.connect(f"tcp://127.0.0.1:{port}")
    subscriber.setsockopt(zmq.SUBSCRIBE, b"raw/")
    subscriber.setsockopt(zmq.SUBSCRIBE, b"bus/")
    ingest = Process("ingest", ["ingest", "--replay", str(recording), "--publish", f"tcp://127.0.0.1:{port}",
                                "--snapshots", "none", "--wait-for-subscribers", "1", "--max-batch", str(max_batch)],
                     tmp_path)
    messages = []
    try:
        poller = zmq.Poller()
        poller.register(subscriber, zmq.POLLIN)
        while True:
            assert poller.poll(30_000), "no message for 30 s"
            topic, epoch, sequence, received_ns, payloads = decode(subscriber.recv_multipart())
            if topic == "bus/":
                if json.loads(payloads[0])["type"] == "end_of_stream":
                    break
                continue
            messages.append((topic, epoch, sequence, payloads))
        assert ingest.wait(30) == 0, ingest.stderr()
    finally:
        stop_all([ingest])
        subscriber.close()
        context.term()
    return messages


def test_pyzmq_subscriber_reads_raw_batches_as_consecutive_messages(tmp_path):
    """README's batches: a raw bus message carries one or more Coinbase messages of its product, in
    order, numbered on from the header's sequence. Read that way, the stream is the recording."""
    recording = [line for line in TEN_PRODUCTS.read_bytes().split(b"\n") if line]
    expected = {}
    for line in recording:
        product = json.loads(line).get("product_id")  # none: subscriptions acknowledgements
        expected.setdefault(f"raw/{product}/" if product else "raw/*/", []).append(line)
    for max_batch, batched in ((64, True), (1, False)):
        received, next_sequence, sizes = {}, {}, []
        for topic, epoch, sequence, payloads in raw_messages_of(TEN_PRODUCTS, max_batch, tmp_path):
            assert sequence == next_sequence.get(topic, 1), (topic, sequence)
            next_sequence[topic] = sequence + len(payloads)
            received.setdefault(topic, []).extend(payloads)
            sizes.append(len(payloads))
        assert received == expected
        assert max(sizes) <= max_batch
        assert (max(sizes) > 1) == batched, f"largest batch {max(sizes)} with --max-batch {max_batch}"
