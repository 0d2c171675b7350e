"""`bookbus top`, the live board, in a real terminal (tmux): every product's row shows the
reference book's final top once the replay has ended, the table fits a resized window, `q` quits
with status 0; and with standard output not a terminal, plain lines without escapes."""
import shutil
import signal
import subprocess
import time

import pytest

from bookbus import (ROOT, TEN_PRODUCTS_TIMED, Process, binary, free_port_range, free_ports, oracle_tops, stop_all,
                     synthetic_exchange_recording)

PRODUCTS = ("AAA-USD", "BBB-USD", "CCC-USD")


def tmux(*arguments):
    return subprocess.run(["tmux", *arguments], capture_output=True, text=True, timeout=10)


def screen(session):
    return tmux("capture-pane", "-p", "-t", session).stdout


def final_tops(recording, products=PRODUCTS):
    tops = oracle_tops(recording)
    products = products or sorted({product for product, _ in tops})
    return {product: tops[max(key for key in tops if key[0] == product)] for product in products}


def start_topology(tmp_path, recording, worker_port):
    publish, snapshots = free_ports(2)
    worker = Process("worker", ["worker", "--shard", "0/1", "--ingest", f"tcp://127.0.0.1:{publish}",
                                "--snapshots", f"tcp://127.0.0.1:{snapshots}",
                                "--publish", f"tcp://127.0.0.1:{worker_port}", "--wait-for-subscribers", "1"], tmp_path)
    ingest = Process("ingest", ["ingest", "--replay", str(recording), "--speed", "1", "--wait-for-subscribers", "1",
                                "--publish", f"tcp://127.0.0.1:{publish}", "--snapshots", f"tcp://127.0.0.1:{snapshots}"],
                     tmp_path)
    return [worker, ingest]


def test_the_board_shows_every_product_resizes_and_quits_on_q(tmp_path):
    if not shutil.which("tmux"):
        pytest.skip("tmux missing (apt-get install tmux; scripts/setup --tests does)")
    recording = tmp_path / "traffic.jsonl"
    synthetic_exchange_recording(recording, products=PRODUCTS, updates=6_000, seconds=3.0)
    worker_port, = free_ports(1)
    session = f"board{worker_port}"
    status = tmp_path / "top.status"
    command = f"{binary()} top --connect tcp://127.0.0.1:{worker_port} --interval-ms 100; echo $? > {status}"
    assert tmux("new-session", "-d", "-s", session, "-x", "150", "-y", "12", command).returncode == 0
    processes = []
    try:
        processes = start_topology(tmp_path, recording, worker_port)
        ingest = processes[1]
        assert ingest.wait(60) == 0, ingest.stderr()
        expected = final_tops(recording)

        def shows_final_books():
            text = screen(session)
            rows = {line.split()[0]: line for line in text.splitlines() if line.split() and line.split()[0] in PRODUCTS}
            return all(product in rows and f"{bid} × {bid_size}" in rows[product] and f"{ask} × {ask_size}" in rows[product]
                       for product, (bid, bid_size, ask, ask_size) in expected.items())

        deadline = time.monotonic() + 15
        while not shows_final_books():
            assert time.monotonic() < deadline, f"the board never showed {expected}:\n{screen(session)}"
            time.sleep(0.2)
        text = screen(session)
        assert text.splitlines()[0].startswith("product") and "bid × size" in text and "state" in text
        assert text.count(" live") >= 3

        # A narrower window: every line is cut to it, and the rows are still there.
        assert tmux("resize-window", "-t", session, "-x", "60", "-y", "12").returncode == 0
        time.sleep(0.5)
        narrow = screen(session).splitlines()
        assert all(len(line) <= 60 for line in narrow)
        assert sum(line.split()[0] in PRODUCTS for line in narrow if line.split()) == 3

        # q quits, with status 0, and the terminal is given back.
        tmux("send-keys", "-t", session, "q")
        deadline = time.monotonic() + 10
        while not status.exists() or not status.read_text().strip():
            assert time.monotonic() < deadline, screen(session)
            time.sleep(0.1)
        assert status.read_text().strip() == "0"
    finally:
        tmux("kill-session", "-t", session)
        stop_all(processes)


def test_without_a_terminal_the_board_prints_plain_lines(tmp_path):
    recording = tmp_path / "traffic.jsonl"
    synthetic_exchange_recording(recording, products=PRODUCTS, updates=3_000, seconds=1.5)
    worker_port, = free_ports(1)
    output = tmp_path / "board.txt"
    board = subprocess.Popen([binary(), "top", "--connect", f"tcp://127.0.0.1:{worker_port}", "--interval-ms", "100"],
                             stdout=open(output, "w"), stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    processes = []
    try:
        processes = start_topology(tmp_path, recording, worker_port)
        assert processes[1].wait(60) == 0
        time.sleep(1)
        board.send_signal(signal.SIGTERM)
        assert board.wait(timeout=10) == 0, board.stderr.read()
    finally:
        board.kill()
        stop_all(processes)
    lines = output.read_text().splitlines()
    assert lines[0].startswith("product") and "\x1b" not in output.read_text()
    expected = final_tops(recording)
    for product, (bid, bid_size, ask, ask_size) in expected.items():
        last = [line for line in lines if line.startswith(product)][-1]
        assert f"{bid} × {bid_size}" in last and f"{ask} × {ask_size}" in last, last


def test_the_demo_in_a_terminal_shows_the_board_and_leaves_the_last_table(tmp_path):
    if not shutil.which("tmux"):
        pytest.skip("tmux missing (apt-get install tmux; scripts/setup --tests does)")
    base = free_port_range(4)
    session = f"demo{base}"
    status = tmp_path / "demo.status"
    command = (f"cd {ROOT} && {binary()} demo --recording {TEN_PRODUCTS_TIMED} --speed 20 --base-port {base}; "
               f"echo $? > {status}; sleep 60")
    assert tmux("new-session", "-d", "-s", session, "-x", "150", "-y", "20", command).returncode == 0
    try:
        deadline = time.monotonic() + 90
        while not status.exists() or not status.read_text().strip():
            assert time.monotonic() < deadline, screen(session)
            time.sleep(0.5)
        assert status.read_text().strip() == "0", screen(session)
        rows = {line.split()[0]: line for line in screen(session).splitlines() if line.split()}
        expected = final_tops(TEN_PRODUCTS_TIMED, products=None)
        assert len(expected) == 10
        for product, (bid, bid_size, ask, ask_size) in expected.items():
            assert f"{bid} × {bid_size}" in rows[product] and f"{ask} × {ask_size}" in rows[product], rows.get(product)
    finally:
        tmux("kill-session", "-t", session)


def test_a_long_replay_shows_its_progress_on_a_terminal(tmp_path):
    if not shutil.which("tmux"):
        pytest.skip("tmux missing (apt-get install tmux; scripts/setup --tests does)")
    recording = tmp_path / "traffic.jsonl"
    with open(recording, "w") as file:
        subprocess.run([binary(), "generate", "--profile", "touch", "--updates", "60000"], stdout=file, check=True)
    publish, = free_ports(1)
    for flags, shown in (([], True), (["--no-progress"], False)):
        session = f"replay{publish}{len(flags)}"
        status = tmp_path / f"replay{len(flags)}.status"
        command = (f"{binary()} ingest --replay {recording} --rate 20000 --snapshots none --log-level warning "
                   f"--publish tcp://127.0.0.1:{publish} {' '.join(flags)}; echo $? > {status}; sleep 30")
        assert tmux("new-session", "-d", "-s", session, "-x", "150", "-y", "10", command).returncode == 0
        try:
            time.sleep(1.6)
            during = screen(session)
            deadline = time.monotonic() + 30
            while not status.exists() or not status.read_text().strip():
                assert time.monotonic() < deadline, screen(session)
                time.sleep(0.2)
            assert status.read_text().strip() == "0"
            after = screen(session)
        finally:
            tmux("kill-session", "-t", session)
        if shown:
            assert "replay: " in during and "/s, " in during and "s left" in during, during
            assert "replay: 60,003 messages" in after and "100%" in after, after
        else:
            assert "replay:" not in during + after
