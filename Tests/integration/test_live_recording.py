"""`ingest --record DIR`: a live session written to rotating timed recordings, which replay later
into exactly the events the live session gave."""
import json

from bookbus import TUTORIAL, Process, by_topic, free_ports, oracle_events, stop_all
from test_live_websocket import run_live


def test_recorded_live_session_replays_to_the_same_events(tmp_path):
    expected = sum(len(events) for events in by_topic(oracle_events(TUTORIAL)).values())
    record_dir = tmp_path / "recordings"
    live_dir = tmp_path / "live"
    live_dir.mkdir()
    live_events, ingest_log, _ = run_live(
        live_dir, TUTORIAL, feed="exchange", events="spread,tob",
        ingest_args=["--record", str(record_dir), "--record-rotate-bytes", "1000"],
        until_events=lambda lines: len(lines) >= expected)
    files = sorted(record_dir.iterdir())
    assert len(files) >= 3, files  # rotated by size
    assert all(f.name.startswith("live-") and f.name.endswith(".timed.jsonl") for f in files), files
    lines = [line for f in files for line in f.read_text().splitlines()]
    assert all(line.startswith('{"ts":') for line in lines)
    # Every frame the server sent is there, byte for byte, in order (heartbeats too).
    frames = [json.loads(line)["raw"] for line in lines]
    sent = [line.strip() for line in TUTORIAL.read_text().splitlines() if line.strip()]
    book_frames = [frame for frame in frames if '"heartbeat"' not in frame and '"subscriptions"' not in frame]
    assert book_frames == sent
    assert "recording closed" in ingest_log
    # Replayed, the recording gives the same events, topic by topic: order holds per topic, and a
    # full-speed replay batches each product's messages, so products, and a batch's top-of-book and
    # spread events, may interleave differently than live.
    combined = tmp_path / "session.timed.jsonl"
    combined.write_text("\n".join(lines) + "\n")
    replay_dir = tmp_path / "replay"
    replay_dir.mkdir()
    replay_events = replay(replay_dir, combined)
    assert len(replay_events) == len(live_events)
    assert by_topic(replay_events) == by_topic(live_events)


def replay(directory, recording):
    ingest_port, snapshot_port, worker_port = free_ports(3)
    log = directory / "events.log"
    processes = []
    try:
        processes.append(Process("sink", ["sink", "--connect", f"tcp://127.0.0.1:{worker_port}", "--events", "spread,tob",
                                          "--format", "json", "--log", str(log), "--quiet", "--exit-after-ends", "1"], directory))
        processes.append(Process("worker", ["worker", "--shard", "0/1", "--ingest", f"tcp://127.0.0.1:{ingest_port}",
                                             "--snapshots", f"tcp://127.0.0.1:{snapshot_port}", "--exit-on-end",
                                             "--publish", f"tcp://127.0.0.1:{worker_port}", "--wait-for-subscribers", "1"], directory))
        processes.append(Process("ingest", ["ingest", "--replay", str(recording), "--publish", f"tcp://127.0.0.1:{ingest_port}",
                                             "--snapshots", f"tcp://127.0.0.1:{snapshot_port}", "--wait-for-subscribers", "1"],
                                 directory))
        for process in reversed(processes):
            assert process.wait(60) == 0, process.stderr()
    finally:
        stop_all(processes)
    return [json.loads(line) for line in log.read_text().splitlines()]
