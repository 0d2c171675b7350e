"""docker-compose.yml, run as processes: no Docker engine runs here, so this test reads the
compose files as docker-compose resolves them (`docker-compose config`) and the Dockerfile's
working directory, environment and entrypoint, and starts every service's command with exactly
that environment on its own network-namespace host, where the other services resolve by name as
they do on a compose network. Replay mode (the override file), two workers (`--scale worker=2`),
compose's healthchecks run as written, and a pyzmq subscriber attached where the compose file
publishes a port."""
import json
import os
import re
import subprocess
import time

import yaml
from pathlib import Path

from bookbus import ROOT, TEN_PRODUCTS_TIMED, Process, assert_events_match_tops, binary, oracle_tops, stop_all

COMPOSE_FILES = ["docker-compose.yml", "docker-compose.replay.yml"]


def compose_services():
    """The services as docker-compose resolves them with the replay override."""
    arguments = sum((["-f", name] for name in COMPOSE_FILES), [])
    resolved = subprocess.run(["docker-compose", *arguments, "config"], cwd=ROOT, check=True,
                              capture_output=True, text=True).stdout
    return yaml.safe_load(resolved)["services"]


def image_settings():
    """The Dockerfile's runtime stage: WORKDIR, ENV and the program ENTRYPOINT runs."""
    text = (ROOT / "Dockerfile").read_text()
    runtime = text[text.index("AS runtime"):]
    workdir = re.search(r"^WORKDIR (\S+)$", runtime, re.M).group(1)
    environment = dict(re.findall(r"^ENV (\w+)=(\S+)$", runtime, re.M))
    entrypoint = json.loads(re.search(r"^ENTRYPOINT (\[.*\])$", runtime, re.M).group(1))
    return workdir, environment, entrypoint


def container_directory(tmp_path, name, workdir):
    """What the image holds under its WORKDIR, for one container: Config/ and data/ as COPY puts
    them there, and an empty writable state/."""
    assert workdir == "/app"
    directory = tmp_path / name
    (directory / "state").mkdir(parents=True)
    (directory / "Config").symlink_to(ROOT / "Config")
    (directory / "data").symlink_to(ROOT / "data")
    return directory


def test_compose_topology_runs_as_processes_across_hosts(tmp_path, namespaces):
    services = compose_services()
    workdir, image_environment, entrypoint = image_settings()
    assert entrypoint[-1] == "bookbus", entrypoint  # tini -- bookbus: the commands are bookbus's
    # The process environment a container gets: the image's, then the service's.
    base = {key: value for key, value in os.environ.items() if not key.startswith("BOOKBUS_")}

    def environment(service):
        return {**base, **image_environment, **{k: str(v) for k, v in services[service].get("environment", {}).items()}}

    # Compose's placement: one host per container; worker scaled to 2.
    placement = [("ingest", "ingest"), ("relay", "relay"), ("worker", "worker-a"), ("worker", "worker-b"),
                 ("sink", "sink")]
    directories = {host: container_directory(tmp_path, host, workdir) for _, host in placement}
    processes = {}

    def start(service, host):
        processes[host] = Process(host, list(services[service]["command"]), tmp_path,
                                  prefix=namespaces.prefix(host), cwd=directories[host], env=environment(service))

    def healthy(service, host):
        test = services[service]["healthcheck"]["test"]
        assert test[0] == "CMD" and test[1] == "bookbus", test
        result = subprocess.run([*namespaces.prefix(host), binary(), *test[2:]], cwd=directories[host],
                                env=environment(service), capture_output=True, text=True)
        return result.returncode == 0

    def wait_healthy(service, host, timeout=15):
        deadline = time.time() + timeout
        while not healthy(service, host):
            assert processes[host].popen.poll() is None, processes[host].stderr()
            assert time.time() < deadline, f"{host} not healthy after {timeout}s:\n{processes[host].stderr()}"
            time.sleep(0.2)

    published = [port["published"] for service in services.values() if "profiles" not in service
                 for port in service.get("ports", [])]
    assert published == [5571], "only the relay's subscriber port is published (outside the monitoring profile)"
    subscriber_log = tmp_path / "subscriber.out"
    subscriber = None
    try:
        # depends_on: workers wait for a healthy ingest and relay, the sink for a healthy relay.
        assert set(services["worker"]["depends_on"]) == {"ingest", "relay"}
        assert set(services["sink"]["depends_on"]) == {"relay"}
        start("relay", "relay")
        start("ingest", "ingest")
        wait_healthy("relay", "relay")
        wait_healthy("ingest", "ingest")
        start("worker", "worker-a")
        start("worker", "worker-b")
        start("sink", "sink")
        # A Python subscriber on another host, attached to the relay's published port by name.
        subscriber = subprocess.Popen(
            [*namespaces.prefix("subscriber"), "python3", "-c", SUBSCRIBER, "tcp://relay:5571"],
            stdout=open(subscriber_log, "w"), stderr=subprocess.STDOUT)
        for host in ("worker-a", "worker-b", "sink"):
            wait_healthy({"worker-a": "worker", "worker-b": "worker"}.get(host, host), host)
        # Replay mode: the ingest exits 0 at the end of the recording (31 s at speed 2).
        assert processes["ingest"].wait(60) == 0, processes["ingest"].stderr()
        time.sleep(1.5)
        # docker stop: SIGTERM, and every role exits 0.
        statuses = {host: process.terminate(timeout=15) for host, process in processes.items() if host != "ingest"}
        assert all(status == 0 for status in statuses.values()), statuses
        subscriber.wait(timeout=10)
    finally:
        stop_all(processes.values())
        if subscriber and subscriber.poll() is None:
            subscriber.kill()

    ingest_log = processes["ingest"].stderr()
    assert "Config/docker.yaml" in ingest_log, "the image's BOOKBUS_CONFIG is what the roles read"
    # The sink's log on its volume: JSON events, every one equal to the reference book at its
    # source_seq, from both workers of the group.
    events = [json.loads(line) for line in (directories["sink"] / "state" / "events.log").read_text().splitlines()]
    assert len(events) > 100, len(events)
    assert_events_match_tops(events, oracle_tops(TEN_PRODUCTS_TIMED))
    assert len({event["worker"] for event in events}) == 2
    spreads = [json.loads(line) for line in subscriber_log.read_text().splitlines() if line.startswith("{")]
    assert len(spreads) > 100 and all(spread["type"] == "spread" for spread in spreads), subscriber_log.read_text()[-2000:]


# The user's own subscriber: pyzmq, README's wire format, until 3 s of silence.
def bind_mounts(service):
    """Container path → host path of a service's bind mounts (`docker-compose config` writes
    them as `source:target[:mode]`)."""
    mounts = {}
    for volume in service.get("volumes", []):
        source, target = volume.split(":")[:2] if isinstance(volume, str) else (volume["source"], volume["target"])
        mounts[target] = source
    return mounts


def test_the_monitoring_profile_scrapes_every_role_and_its_dashboard_reads_their_metrics():
    services = compose_services()
    monitoring = {name for name, service in services.items() if service.get("profiles") == ["monitoring"]}
    assert monitoring == {"prometheus", "grafana"}
    roles = {name for name in services if name not in monitoring}
    assert all(services[name]["image"] == "bookbus:latest" for name in roles)

    # Prometheus reads the shipped scrape configuration, which promtool accepts.
    mounts = bind_mounts(services["prometheus"])
    scrape_file = mounts["/etc/prometheus/prometheus.yml"]
    assert scrape_file == str(ROOT / "Config" / "monitoring" / "prometheus.yml")
    check = subprocess.run(["promtool", "check", "config", scrape_file], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr

    # One job per role, each on the port every container's metrics.listen names; the workers by
    # their service name, so every replica of --scale worker=N is found.
    port = yaml.safe_load((ROOT / "Config" / "docker.yaml").read_text())["metrics"]["listen"].rsplit(":", 1)[1]
    jobs = {job["job_name"]: job for job in yaml.safe_load(Path(scrape_file).read_text())["scrape_configs"]}
    assert set(jobs) == roles
    for role, job in jobs.items():
        if role == "worker":
            assert job["dns_sd_configs"] == [{"names": ["worker"], "type": "A", "port": int(port),
                                              "refresh_interval": "10s"}]
        else:
            assert job["static_configs"] == [{"targets": [f"{role}:{port}"]}]

    # Grafana: the datasource is that Prometheus; every metric a dashboard panel asks for is one
    # BookBus serves (README's Operate it table) or a process_ metric every role serves.
    grafana = bind_mounts(services["grafana"])
    provisioning = Path(grafana["/etc/grafana/provisioning"])
    datasource = yaml.safe_load((provisioning / "datasources" / "prometheus.yml").read_text())["datasources"][0]
    assert datasource["url"] == "http://prometheus:9090" and datasource["type"] == "prometheus"
    assert any(p.get("published") == 9090 or p.get("target") == 9090 for p in services["prometheus"]["ports"])
    dashboards = list(Path(grafana["/var/lib/grafana/dashboards"]).glob("*.json"))
    assert dashboards
    readme = (ROOT / "README.md").read_text()
    operate = readme[readme.index("## Operate it"):readme.index("## Benchmark")]
    for dashboard in dashboards:
        panels = json.loads(dashboard.read_text())["panels"]
        assert panels
        for panel in panels:
            assert panel["datasource"]["uid"] == datasource["uid"]
            for target in panel["targets"]:
                for metric in re.findall(r"\b((?:bookbus|process)_[a-z0-9_]+)", target["expr"]):
                    family = re.sub(r"_(bucket|sum|count)$", "", metric)
                    assert f"`{family}" in operate, f"{dashboard.name} '{panel['title']}' asks for {metric}"


SUBSCRIBER = """
import sys, zmq
context = zmq.Context()
socket = context.socket(zmq.SUB)
socket.connect(sys.argv[1])
socket.setsockopt(zmq.SUBSCRIBE, b"spread/")
received = 0
while socket.poll(3000 if received else 30000):
    topic, header, *payloads = socket.recv_multipart()
    for payload in payloads:
        print(payload.decode(), flush=True)
    received += len(payloads)
"""
