"""The configuration model from the command line: `bookbus config check|show`, a role reading a
file with environment overrides, refusing a bad file, and `bookbus health` on a running role."""
import os
import subprocess
import time

from bookbus import ROOT, Process, binary, free_ports


def clean_environment(**extra):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("BOOKBUS_")}
    environment.update(extra)
    return environment


def bookbus(*arguments, env=None):
    return subprocess.run([binary(), *arguments], capture_output=True, text=True, timeout=30, cwd=ROOT,
                          env=env or clean_environment())


def test_show_names_the_origin_of_every_setting():
    result = bookbus("config", "show", "--config", "Config/bookbus.yaml", "--role", "ingest",
                     env=clean_environment(BOOKBUS_INGEST_SPEED="3"))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "# file: Config/bookbus.yaml"
    assert "ingest.speed: 3  # env BOOKBUS_INGEST_SPEED" in lines
    assert "ingest.mode: replay  # Config/bookbus.yaml:21" in lines
    assert "ingest.rate: 0  # default" in lines
    assert "ingest.name: ~  # unset" in lines
    assert not any(line.startswith(("worker.", "sink.", "relay.")) for line in lines)


def test_check_accepts_the_bundled_files_and_refuses_a_typo(tmp_path):
    for name in ("bookbus.yaml", "docker.yaml", "multihost-curve.yaml"):
        result = bookbus("config", "check", str(ROOT / "Config" / name))
        assert result.returncode == 0 and result.stdout.strip().endswith(": ok"), result.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("sink:\n  format: json\n  evnets: [spread]\n")
    result = bookbus("config", "check", str(bad))
    assert result.returncode != 0
    assert f"{bad}:3: unknown key sink.evnets (did you mean sink.events?)" in result.stderr


def test_a_role_runs_with_file_environment_and_flags_in_that_order(tmp_path):
    frontend, backend, flagged = free_ports(3)
    config = tmp_path / "relay.yaml"
    config.write_text(f'log:\n  level: debug\nrelay:\n  frontend: "@tcp://127.0.0.1:{frontend}"\n'
                      f'  backend: "@tcp://127.0.0.1:1"\n')
    relay = Process("relay", ["relay", "--config", str(config), "--log-level", "info"], tmp_path,
                    env=clean_environment(BOOKBUS_RELAY_BACKEND=f"@tcp://127.0.0.1:{backend}"))
    try:
        deadline = time.time() + 10
        while "relaying" not in relay.stderr() and time.time() < deadline:
            time.sleep(0.05)
        log = relay.stderr()
        assert f"publishers=@tcp://127.0.0.1:{frontend}" in log and f"subscribers=@tcp://127.0.0.1:{backend}" in log, log
        assert "effective settings" not in log  # --log-level info (flag) beat log.level debug (file)
        assert relay.terminate() == 0
    finally:
        relay.kill()
    # A flag beats the variable.
    relay = Process("relay-flag", ["relay", "--config", str(config), "--backend", f"@tcp://127.0.0.1:{flagged}"], tmp_path,
                    env=clean_environment(BOOKBUS_RELAY_BACKEND=f"@tcp://127.0.0.1:{backend}"))
    try:
        deadline = time.time() + 10
        while "relaying" not in relay.stderr() and time.time() < deadline:
            time.sleep(0.05)
        assert f"subscribers=@tcp://127.0.0.1:{flagged}" in relay.stderr()
        assert "effective settings" in relay.stderr()  # log.level debug from the file
        assert relay.terminate() == 0
    finally:
        relay.kill()


def test_a_role_refuses_a_bad_value_before_starting(tmp_path):
    config = tmp_path / "worker.yaml"
    config.write_text("worker:\n  emit: sometimes\n")
    result = bookbus("worker", "--config", str(config))
    assert result.returncode != 0
    assert f"{config}:2: worker.emit: sometimes is not one of change, every-message" in result.stderr
    result = bookbus("sink", env=clean_environment(BOOKBUS_SINK_EXIT_AFTER_ENDS="-1"))
    assert result.returncode != 0
    assert "env BOOKBUS_SINK_EXIT_AFTER_ENDS: sink.exit_after_ends: -1 is below the minimum 0" in result.stderr


def test_health_follows_the_role(tmp_path):
    (port,) = free_ports(1)
    health = tmp_path / "health"
    sink = Process("sink", ["sink", "--connect", f"tcp://127.0.0.1:{port}", "--health-file", str(health)], tmp_path,
                   env=clean_environment())
    try:
        deadline = time.time() + 10
        while not health.exists() and time.time() < deadline:
            time.sleep(0.05)
        result = bookbus("health", "--file", str(health), "--max-age", "2")
        assert result.returncode == 0 and result.stdout.startswith("healthy"), result.stdout
        # The same file, named by the configuration the image uses (BOOKBUS_CONFIG → health.file).
        result = bookbus("health", "--max-age", "2", env=clean_environment(BOOKBUS_HEALTH_FILE=str(health)))
        assert result.returncode == 0, result.stdout + result.stderr
        assert sink.terminate() == 0
    finally:
        sink.kill()
    time.sleep(2.5)
    result = bookbus("health", "--file", str(health), "--max-age", "2")
    assert result.returncode == 1 and result.stdout.startswith("unhealthy"), result.stdout
    result = bookbus("health", "--file", str(tmp_path / "missing"))
    assert result.returncode == 1 and "does not exist" in result.stdout


def test_every_roles_help_lists_its_settings_flags_with_the_catalogs_help():
    """Flag help is generated from the settings catalog: each role's --help names every flag the
    catalog gives its settings, with the setting's key and default."""
    table = bookbus("config", "keys").stdout.splitlines()[2:]
    rows = [[cell.strip().strip("`") for cell in row.strip("|").split("|")] for row in table]
    common = {"log", "health", "stats", "bus", "curve"}
    for role in ("ingest", "worker", "relay", "sink"):
        help_text = " ".join(bookbus(role, "--help").stdout.split())
        for key, _, flags, default, _ in rows:
            section = key.split(".")[0]
            if section not in common | {role} or not flags or flags == "(environment only)":
                continue
            for flag in flags.split(" / "):
                assert flag in help_text, f"{role} --help lacks {flag} ({key})"
            if section == role and default and " / " not in flags:  # --replay / --live set two settings
                assert f"({key}; default {default})" in help_text, f"{role} --help: {key} without its default"
