"""CURVE encryption with ZAP allow-listing, across hosts made of network namespaces: authorised
clients get the spreads; a client with an unknown key, or without CURVE, gets nothing and is
logged; a CURVE server without an allow-list refuses to start."""
import json
import shutil
import subprocess
import time

from bookbus import TEN_PRODUCTS_TIMED, Process, binary, free_ports, stop_all

CLIENT = """
import sys, time, zmq
endpoint, server_key, key_file = sys.argv[1], sys.argv[2], sys.argv[3]
sub = zmq.Context().socket(zmq.SUB)
sub.setsockopt(zmq.LINGER, 0)
if key_file != "none":
    fields = dict(line.split("=", 1) for line in open(key_file).read().split() if "=" in line)
    sub.curve_serverkey = server_key.encode()
    sub.curve_publickey = fields["public"].encode()
    sub.curve_secretkey = fields["secret"].encode()
sub.connect(endpoint)
sub.setsockopt(zmq.SUBSCRIBE, b"spread/")
received = 0
deadline = time.monotonic() + 6
while time.monotonic() < deadline:
    if sub.poll(200):
        sub.recv_multipart()
        received += 1
print(received)
"""


def keygen(tmp_path):
    keys = tmp_path / "keys"
    subprocess.run([binary(), "keygen", "bus", "worker", "sink", "friend", "intruder", "--out", str(keys)],
                   check=True, capture_output=True)
    allowed = tmp_path / "allowed"
    allowed.mkdir()
    for name in ("worker", "sink", "friend"):
        shutil.copy(keys / f"{name}.pub", allowed / f"{name}.pub")
    return keys, allowed


def test_curve_server_without_allow_list_refuses_to_start(tmp_path):
    keys, _ = keygen(tmp_path)
    ingest_port, service_port = free_ports(2)
    result = subprocess.run([binary(), "ingest", "--replay", str(TEN_PRODUCTS_TIMED), "--curve-key", str(keys / "bus.key"),
                             "--publish", f"tcp://127.0.0.1:{ingest_port}", "--snapshots", f"tcp://127.0.0.1:{service_port}"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode != 0
    assert "has no allow-list: give --curve-allow" in result.stderr


def test_curve_allow_list_across_hosts(tmp_path, namespaces):
    hosts = namespaces
    keys, allowed = keygen(tmp_path)
    ingest_port, service_port, frontend_port, backend_port = free_ports(4)
    server = ["--curve-key", str(keys / "bus.key"), "--curve-allow", str(allowed)]
    bus_pub = str(keys / "bus.pub")
    ingest_at, relay_at = hosts.address("ingest"), hosts.address("relay")
    processes = []

    def start(name, role, arguments):
        processes.append(Process(name, arguments, tmp_path, prefix=hosts.prefix(role)))
        return processes[-1]

    try:
        relay = start("relay", "relay", ["relay", "--frontend", f"@tcp://*:{frontend_port}", "--backend", f"@tcp://*:{backend_port}",
                                         *server])
        start("sink", "sink", ["sink", "--connect", f"tcp://{relay_at}:{backend_port}", "--format", "json",
                               "--curve-key", str(keys / "sink.key"), "--curve-server-key", bus_pub])
        start("worker", "worker-a", ["worker", "--ingest", f"tcp://{ingest_at}:{ingest_port}",
                                     "--snapshots", f"tcp://{ingest_at}:{service_port}", "--publish", f">tcp://{relay_at}:{frontend_port}",
                                     "--name", "worker-a", "--curve-key", str(keys / "worker.key"), "--curve-server-key", bus_pub])
        ingest = start("ingest", "ingest", ["ingest", "--replay", str(TEN_PRODUCTS_TIMED), "--speed", "3", "--wait-for-subscribers", "1",
                                            "--publish", f"@tcp://*:{ingest_port}", "--snapshots", f"@tcp://*:{service_port}", *server])
        time.sleep(1)
        endpoint = f"tcp://{relay_at}:{backend_port}"
        server_key = (keys / "bus.pub").read_text().strip()
        clients = {name: subprocess.Popen([*hosts.prefix("subscriber"), "python3", "-c", CLIENT, endpoint, server_key, key],
                                          stdout=subprocess.PIPE, text=True)
                   for name, key in (("friend", str(keys / "friend.key")), ("intruder", str(keys / "intruder.key")),
                                     ("plain", "none"))}
        counts = {name: int(client.communicate(timeout=30)[0].strip()) for name, client in clients.items()}
        assert ingest.wait(60) == 0, ingest.stderr()
        time.sleep(0.5)
        statuses = {p.name: p.terminate(timeout=10) for p in reversed(processes)}
    finally:
        stop_all(processes)
    assert statuses == {"ingest": 0, "worker": 0, "sink": 0, "relay": 0}, statuses
    assert counts["friend"] > 0 and counts["intruder"] == 0 and counts["plain"] == 0, counts
    log = relay.stderr()
    intruder_key = (keys / "intruder.pub").read_text().strip()
    assert "CURVE client refused: its public key is not in the allow-list" in log and intruder_key in log
    assert "reason=authentication refused" in log
    assert "reason=the client does not speak CURVE, or does not know the server key" in log
    events = [json.loads(line) for line in processes[1].stdout().splitlines()]
    assert len({event["product"] for event in events}) == 10
