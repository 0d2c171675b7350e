"""Every daemon stops cleanly on SIGTERM and SIGINT: exit status 0 within a couple of seconds."""
import signal
import subprocess
import time

import pytest
import zmq

from bookbus import ROOT, TEN_PRODUCTS_TIMED, Process, binary, free_port_range, free_ports, stop_all


def idle_roles(ports):
    ingest_port, worker_port, ws_port, snapshot_port = ports
    snapshots = ["--snapshots", f"tcp://127.0.0.1:{snapshot_port}"]
    return {
        # Replaying at the recorded pace: still busy when the signal comes.
        "ingest-replay": ["ingest", "--replay", str(TEN_PRODUCTS_TIMED), "--speed", "1", "--publish", f"tcp://127.0.0.1:{ingest_port}", *snapshots],
        # Nobody listens on ws_port: the live ingest is in its reconnect backoff.
        "ingest-live": ["ingest", "--live", "--url", f"ws://127.0.0.1:{ws_port}", "--publish", f"tcp://127.0.0.1:{ingest_port}", *snapshots],
        "worker": ["worker", "--products", "BTC-USD", "--ingest", f"tcp://127.0.0.1:{ingest_port}", "--publish", f"tcp://127.0.0.1:{worker_port}", *snapshots],
        "worker-waiting": ["worker", "--shard", "0/2", "--publish", f"tcp://127.0.0.1:{worker_port}", "--wait-for-subscribers", "3", *snapshots],
        "sink": ["sink", "--connect", f"tcp://127.0.0.1:{worker_port}"],
    }


@pytest.mark.parametrize("role", ["ingest-replay", "ingest-live", "worker", "worker-waiting", "sink"])
@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGINT])
def test_daemon_exits_zero_on_signal(tmp_path, role, signal_number):
    process = Process(role, idle_roles(free_ports(4))[role], tmp_path)
    try:
        time.sleep(1.0)
        assert process.popen.poll() is None, process.stderr()
        started = time.monotonic()
        process.popen.send_signal(signal_number)
        assert process.wait(5) == 0, process.stderr()
        assert time.monotonic() - started < 3
    finally:
        stop_all([process])


def test_demo_stops_cleanly_on_ctrl_c(tmp_path):
    base_port = free_port_range(8)
    demo = subprocess.Popen([binary(), "demo", "--speed", "0.5", "--base-port", str(base_port)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        time.sleep(2)
        assert demo.poll() is None, demo.stderr.read().decode()[-3000:]
        # Ctrl-C reaches the whole foreground process group.
        import os
        os.killpg(demo.pid, signal.SIGINT)
        _, stderr = demo.communicate(timeout=10)
        assert demo.returncode == 0, stderr.decode()
    finally:
        if demo.poll() is None:
            demo.kill()
    leftover = subprocess.run(["pgrep", "-f", f"127.0.0.1:{base_port}"], capture_output=True, text=True).stdout
    assert leftover == ""


def test_demo_runs_the_bundled_recording_to_the_end(tmp_path):
    base_port = free_port_range(8)
    result = subprocess.run([binary(), "demo", "--speed", "0", "--base-port", str(base_port)], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    products = {line.split(" ")[0] for line in lines}
    assert len(products) == 10
    assert all(" spread " in line for line in lines)


def test_a_subscriber_behind_at_the_end_of_a_replay_still_gets_the_tail(tmp_path):
    """A full-speed replay ends long before a slow subscriber has read it. The ingest keeps its
    socket open until the subscriber has taken the end of stream and left (`--linger-ms` at most):
    closing at once reset the connection while the kernel still held the tail for that subscriber,
    which then never saw the last messages nor the end of stream."""
    recording = tmp_path / "feed.jsonl"
    with recording.open("wb") as output:
        subprocess.run([binary(), "generate", "--profile", "touch", "--updates", "200000"], stdout=output, check=True)
    lines = len(recording.read_bytes().splitlines())
    (port,) = free_ports(1)
    context = zmq.Context()
    subscriber = context.socket(zmq.SUB)
    subscriber.setsockopt(zmq.LINGER, 0)
    subscriber.setsockopt(zmq.RCVHWM, 100)  # not reading: its TCP window fills, the tail waits in the ingest's kernel
    # ZMTP heartbeats every millisecond: the ingest always has one unread when it closes (the reset's trigger).
    subscriber.setsockopt(zmq.HEARTBEAT_IVL, 1)
    subscriber.setsockopt(zmq.HEARTBEAT_TIMEOUT, 60_000)
    subscriber.connect(f"tcp://127.0.0.1:{port}")
    subscriber.setsockopt(zmq.SUBSCRIBE, b"raw/")
    subscriber.setsockopt(zmq.SUBSCRIBE, b"bus/")
    ingest = Process("ingest", ["ingest", "--replay", str(recording), "--publish", f"tcp://127.0.0.1:{port}",
                                "--snapshots", "none", "--wait-for-subscribers", "1", "--linger-ms", "10000"], tmp_path)
    try:
        deadline = time.monotonic() + 30
        while "recording finished" not in ingest.stderr():
            assert time.monotonic() < deadline, ingest.stderr()
            time.sleep(0.05)
        time.sleep(0.5)
        payloads, ended = 0, False
        while not ended and subscriber.poll(5000):
            topic, _, *frames = subscriber.recv_multipart()
            if topic == b"bus/":
                ended = b"end_of_stream" in frames[0]
            else:
                payloads += len(frames)
        subscriber.close()
        left = time.monotonic()
        assert ingest.wait(10) == 0, ingest.stderr()
        # It closed once the subscriber left, not after the whole linger.
        assert time.monotonic() - left < 5
    finally:
        stop_all([ingest])
        subscriber.close()
        context.term()
    assert (payloads, ended) == (lines, True)
    assert "subscribers still connected" not in ingest.stderr()
