"""Shared fixtures: the helpers module on the path, and test hosts made of network namespaces."""
import os
import shutil
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from bookbus import Hosts  # noqa: E402  (importable only once the path is set)


ROLES = ["ingest", "relay", "worker-a", "worker-b", "worker-c", "sink", "subscriber"]


@pytest.fixture
def namespaces():
    """One network namespace per role, all joined by veth pairs to a bridge in a 'switch'
    namespace, on 10.231.0.0/24, each resolving the others by role name. Only these test hosts
    are ever addressed."""
    if os.geteuid() != 0 or not shutil.which("ip"):
        pytest.skip("network namespaces need root and iproute2")
    tag = f"bb{os.getpid() % 10000}"
    switch = f"{tag}-sw"

    def ip(*arguments, namespace=None):
        command = (["ip", "netns", "exec", namespace] if namespace else []) + ["ip", *arguments]
        subprocess.run(command, check=True, capture_output=True)

    created = []
    try:
        ip("netns", "add", switch)
        created.append(switch)
        ip("link", "add", "br0", "type", "bridge", namespace=switch)
        ip("link", "set", "br0", "up", namespace=switch)
        addresses, prefixes = {}, {}
        for index, role in enumerate(ROLES, start=1):
            host = f"{tag}-h{index}"
            ip("netns", "add", host)
            created.append(host)
            ip("link", "add", f"v{index}", "type", "veth", "peer", "name", f"p{index}", namespace=switch)
            ip("link", "set", f"v{index}", "netns", host, namespace=switch)
            ip("link", "set", f"p{index}", "master", "br0", namespace=switch)
            ip("link", "set", f"p{index}", "up", namespace=switch)
            ip("addr", "add", f"10.231.0.{index}/24", "dev", f"v{index}", namespace=host)
            ip("link", "set", f"v{index}", "up", namespace=host)
            ip("link", "set", "lo", "up", namespace=host)
            addresses[role] = f"10.231.0.{index}"
            prefixes[role] = ("ip", "netns", "exec", host)
        # Every host resolves the others by role name, as containers resolve compose services:
        # `ip netns exec` shows /etc/netns/<host>/hosts as the host's /etc/hosts.
        hosts_file = "127.0.0.1 localhost\n" + "".join(f"{address} {role}\n" for role, address in addresses.items())
        for host in created[1:]:
            os.makedirs(f"/etc/netns/{host}", exist_ok=True)
            with open(f"/etc/netns/{host}/hosts", "w") as file:
                file.write(hosts_file)
        yield Hosts(addresses, prefixes)
    finally:
        for namespace in reversed(created):
            subprocess.run(["ip", "netns", "del", namespace], capture_output=True)
            shutil.rmtree(f"/etc/netns/{namespace}", ignore_errors=True)


