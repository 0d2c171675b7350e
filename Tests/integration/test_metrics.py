"""Every role's HTTP status endpoint, with real processes on loopback and a real Prometheus server:
/metrics passes `promtool check metrics`, /health and /ready answer what the role is doing, and
Prometheus scraping the running topology sees events per worker and a resync counter that moves
when the ingest restarts under the workers."""
import json
import shutil
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from bookbus import ROOT, Process, binary, free_ports, synthetic_exchange_recording
from test_faults import Topology

ROLES = ["ingest", "worker-0", "worker-1", "sink"]


def get(port, path):
    """(status, body) of GET http://127.0.0.1:port/path."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    except (urllib.error.URLError, ConnectionError) as error:
        return None, str(error)


def wait_for(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def promtool(*arguments, stdin=None):
    return subprocess.run(["promtool", *arguments], input=stdin, capture_output=True, text=True, timeout=30)


def sample(text, name, **labels):
    """The value of the first series `name{labels…}` in exposition text (any other labels
    allowed), or None."""
    for line in text.splitlines():
        series, _, value = line.rpartition(" ")
        if series == name or (series.startswith(name + "{")
                              and all(f'{key}="{label}"' in series for key, label in labels.items())):
            return float(value)
    return None


@pytest.fixture
def topology(tmp_path):
    topology = Topology(tmp_path)
    yield topology
    topology.close()


def start_roles(topology, recording, ports):
    topology.sink("--metrics-listen", f"127.0.0.1:{ports['sink']}")
    for index in range(2):
        topology.worker(index, "--metrics-listen", f"127.0.0.1:{ports[f'worker-{index}']}")
    return topology.ingest("--replay", str(recording), "--speed", "1", "--wait-for-subscribers", "2",
                           "--metrics-listen", f"127.0.0.1:{ports['ingest']}")


def test_every_endpoint_answers_and_passes_promtool(topology, tmp_path):
    if not shutil.which("promtool"):
        pytest.skip("promtool missing (apt-get install prometheus; scripts/setup --tests does)")
    recording = tmp_path / "traffic.jsonl"
    synthetic_exchange_recording(recording, updates=30_000, seconds=20.0)
    ports = dict(zip(ROLES, free_ports(len(ROLES))))
    start_roles(topology, recording, ports)

    for role in ROLES:
        wait_for(lambda: get(ports[role], "/health")[0] == 200, 20, f"{role} /health")
    # Each role becomes ready as it does its job: the workers once every product is live.
    for role in ROLES:
        wait_for(lambda: get(ports[role], "/ready")[0] == 200, 20, f"{role} /ready")
    assert get(ports["worker-0"], "/ready")[1] == "ready\n"

    texts = {}
    for role in ROLES:
        status, text = get(ports[role], "/metrics")
        assert status == 200
        texts[role] = text
        check = promtool("check", "metrics", stdin=text)
        assert check.returncode == 0, f"{role}: {check.stdout}{check.stderr}\n{text[:2000]}"
        assert sample(text, "process_resident_memory_bytes") > 1_000_000
        assert sample(text, "process_cpu_seconds_total") > 0

    assert sample(texts["ingest"], "bookbus_frames_total", role="ingest") > 0
    for index in range(2):
        text = texts[f"worker-{index}"]
        assert sample(text, "bookbus_events_total", role="worker") > 0
        live = [line for line in text.splitlines() if line.startswith("bookbus_book_state{") and 'state="live"' in line]
        assert live and all(line.endswith(" 1.0") for line in live), live
        # Per product: what each kept book took and holds (the generated books hold 200 levels a side).
        for line in live:
            product = line.split('product="')[1].split('"')[0]
            assert sample(text, "bookbus_product_book_messages_total", product=product) > 1
            assert sample(text, "bookbus_product_level_changes_total", product=product) > 0
            assert 100 < sample(text, "bookbus_book_bid_levels", product=product) < 300
            assert abs(sample(text, "bookbus_book_last_update_timestamp_seconds", product=product) - time.time()) < 30
            assert 0 < sample(text, "bookbus_book_spread_bps", product=product) < 100
    assert sample(texts["sink"], "bookbus_received_total", role="sink") > 0
    # Latency histograms: ingest → sink per event, ingest → publish per worker bus message.
    received = sample(texts["sink"], "bookbus_latency_seconds_count", role="sink")
    assert received > 0 and sample(texts["sink"], "bookbus_latency_seconds_bucket", le="+Inf") == received
    assert 0 < sample(texts["sink"], "bookbus_latency_seconds_sum") < received * 10
    for index in range(2):
        assert sample(texts[f"worker-{index}"], "bookbus_publish_latency_seconds_count", role="worker") > 0

    # README's "Operate it" table names every metric family any endpoint serves.
    readme = (ROOT / "README.md").read_text()
    operate = readme[readme.index("## Operate it"):readme.index("## Benchmark")]
    families = {line.split()[2] for text in texts.values() for line in text.splitlines() if line.startswith("# TYPE ")}
    undocumented = sorted(family for family in families if f"`{family}" not in operate)
    assert not undocumented, f"metrics missing from README's Operate it section: {undocumented}"

    assert get(ports["worker-0"], "/nope")[0] == 404
    request = urllib.request.Request(f"http://127.0.0.1:{ports['worker-0']}/metrics", method="POST", data=b"")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)
    assert refused.value.code == 405


def test_a_worker_is_not_ready_until_its_books_are_live(topology, tmp_path):
    # No ingest at all: the worker runs (healthy) but has no book, so it is not ready, and says why.
    port, ingest, snapshots = free_ports(3)
    topology.start("worker", ["worker", "--products", "AAA-USD,BBB-USD", "--ingest", f"tcp://127.0.0.1:{ingest}",
                              "--snapshots", f"tcp://127.0.0.1:{snapshots}", "--publish", "tcp://127.0.0.1:0",
                              "--metrics-listen", f"127.0.0.1:{port}"])
    wait_for(lambda: get(port, "/health")[0] == 200, 20, "worker /health")
    answer = wait_for(lambda: (lambda got: got if "starting" not in got[1] else None)(get(port, "/ready")), 20,
                      "a readiness past starting")
    assert answer == (503, "not ready: not live: AAA-USD (awaiting_snapshot), BBB-USD (awaiting_snapshot)\n")
    # `bookbus health --url`, as the compose healthchecks run it: healthy, but not ready.
    def health(path):
        return subprocess.run([binary(), "health", "--url", f"http://127.0.0.1:{port}{path}", "--max-age", "3"],
                              capture_output=True, text=True, timeout=20)
    assert health("/health").returncode == 0
    not_ready = health("/ready")
    assert not_ready.returncode == 1 and "answered 503 not ready: not live: AAA-USD" in not_ready.stdout
    gone = subprocess.run([binary(), "health", "--url", "http://127.0.0.1:1/health"], capture_output=True, text=True)
    assert gone.returncode == 1 and "nothing answers on 127.0.0.1:1" in gone.stdout


def test_a_bad_metrics_address_is_refused_with_the_setting_to_change(tmp_path):
    process = Process("worker", ["worker", "--shard", "0/1", "--metrics-listen", "9100"], tmp_path)
    assert process.wait(20) != 0
    assert "metrics.listen" in process.stderr() and "host:port" in process.stderr()


def test_prometheus_scrapes_the_topology(topology, tmp_path):
    if not shutil.which("prometheus"):
        pytest.skip("prometheus missing (apt-get install prometheus; scripts/setup --tests does)")
    recording = tmp_path / "traffic.jsonl"
    synthetic_exchange_recording(recording, updates=60_000, seconds=30.0)
    *role_ports, prometheus_port = free_ports(len(ROLES) + 1)
    ports = dict(zip(ROLES, role_ports))
    config = tmp_path / "prometheus.yml"
    config.write_text(
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n"
        + "".join(f"  - job_name: {role}\n    static_configs:\n      - targets: ['127.0.0.1:{port}']\n"
                  for role, port in ports.items()))
    check = promtool("check", "config", str(config))
    assert check.returncode == 0, check.stdout + check.stderr
    prometheus = subprocess.Popen(
        ["prometheus", f"--config.file={config}", f"--storage.tsdb.path={tmp_path / 'tsdb'}",
         f"--web.listen-address=127.0.0.1:{prometheus_port}"],
        stdout=subprocess.DEVNULL, stderr=open(tmp_path / "prometheus.err", "wb"))
    try:
        def query(expression):
            url = f"http://127.0.0.1:{prometheus_port}/api/v1/query?" + urllib.parse.urlencode({"query": expression})
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    answer = json.load(response)
            except (urllib.error.URLError, ConnectionError):
                return []
            assert answer["status"] == "success", answer
            return answer["data"]["result"]

        ingest = start_roles(topology, recording, ports)
        wait_for(lambda: len(query("up == 1")) == len(ROLES), 40, "every target up")
        # Events flow from both workers, per product (each worker keeps its shard of the three).
        def jobs(expression):
            return {r["metric"]["job"] for r in query(expression)}

        wait_for(lambda: jobs("rate(bookbus_events_total[5s]) > 0") == {"worker-0", "worker-1"}, 40,
                 "events from both workers")
        live = wait_for(lambda: query('sum(bookbus_book_state{role="worker",state="live"})'), 40, "book states")
        assert float(live[0]["value"][1]) == 3

        # The ingest restarts: a new epoch, and the workers resynchronise every book for it.
        assert not query('bookbus_resyncs_by_reason_total{reason="epoch_changed"} > 0')
        ingest.kill()
        topology.ingest("--replay", str(recording), "--speed", "1", "--metrics-listen", f"127.0.0.1:{ports['ingest']}")
        wait_for(lambda: jobs('bookbus_resyncs_by_reason_total{reason="epoch_changed"} > 0') == {"worker-0", "worker-1"},
                 40, "epoch_changed resyncs on both workers")
    finally:
        prometheus.terminate()
        prometheus.wait(timeout=20)
