"""Authenticated live subscribes against the local Coinbase server, which checks them as Coinbase
does: Exchange `level2` with an HMAC-signed subscribe, Advanced Trade with an ES256 JWT. The
credentials come from the environment and must never reach a log, even at trace level."""
import base64
import json
import os
import subprocess

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from bookbus import TUTORIAL, binary, by_topic, oracle_events
from test_live_websocket import advanced_trade_recording, run_live, shown, reference_tops

EXCHANGE_KEY = "bookbus-test-key-4f1c"
EXCHANGE_SECRET = base64.b64encode(b"an exchange secret that is 64 bytes long, as Coinbase's are!!!!").decode()
EXCHANGE_PASSPHRASE = "pass-phrase-9a7e"


def exchange_environment(secret=EXCHANGE_SECRET):
    return {"BOOKBUS_COINBASE_API_KEY": EXCHANGE_KEY, "BOOKBUS_COINBASE_API_SECRET": secret,
            "BOOKBUS_COINBASE_API_PASSPHRASE": EXCHANGE_PASSPHRASE}


def assert_no_secret_in(log, *secrets):
    for secret in secrets:
        assert secret not in log, "a credential reached the log"


def test_exchange_level2_with_a_signed_subscribe(tmp_path):
    expected = by_topic(oracle_events(TUTORIAL))
    count = sum(len(events) for events in expected.values())
    events, ingest_log, server_log = run_live(
        tmp_path, TUTORIAL, feed="exchange", events="spread,tob",
        server_args=["--exchange-key", f"{EXCHANGE_KEY}:{EXCHANGE_SECRET}:{EXCHANGE_PASSPHRASE}"],
        ingest_args=["--exchange-channel", "level2", "--log-level", "trace"], ingest_env=exchange_environment(),
        until_events=lambda lines: len(lines) >= count)
    assert "accepted [['level2', 'matches', 'heartbeat']] with signature" in server_log, server_log
    assert {product: len(mine) for product, mine in by_topic(events).items()} == \
        {product: len(reference) for product, reference in expected.items()}
    assert_no_secret_in(ingest_log, EXCHANGE_SECRET, EXCHANGE_PASSPHRASE, EXCHANGE_KEY)


def test_exchange_refuses_a_wrong_secret_and_the_ingest_says_so(tmp_path):
    wrong = base64.b64encode(b"not the secret").decode()
    events, ingest_log, server_log = run_live(
        tmp_path, TUTORIAL, feed="exchange",
        server_args=["--exchange-key", f"{EXCHANGE_KEY}:{EXCHANGE_SECRET}:{EXCHANGE_PASSPHRASE}"],
        ingest_args=["--exchange-channel", "level2", "--log-level", "trace"],
        ingest_env=exchange_environment(secret=wrong), seconds=3)
    assert "refused: Authentication Failed: invalid signature" in server_log
    assert "coinbase error message" in ingest_log and "invalid signature" in ingest_log
    assert "reconnecting to coinbase" in ingest_log
    assert events == []
    assert_no_secret_in(ingest_log, wrong, EXCHANGE_PASSPHRASE, EXCHANGE_KEY)


def test_level2_without_credentials_is_a_clear_start_error(tmp_path):
    result = subprocess.run([binary(), "ingest", "--live", "--feed", "exchange", "--exchange-channel", "level2"],
                            capture_output=True, text=True, timeout=30,
                            env={k: v for k, v in os.environ.items() if not k.startswith("BOOKBUS_")})
    assert result.returncode != 0
    assert "needs an API key: set BOOKBUS_COINBASE_API_KEY" in result.stderr, result.stderr


def test_advanced_trade_with_a_jwt(tmp_path):
    private_key = ec.generate_private_key(ec.SECP256R1())
    private_pem = private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                            serialization.NoEncryption()).decode()
    public_pem = tmp_path / "cdp.pub.pem"
    public_pem.write_bytes(private_key.public_key().public_bytes(serialization.Encoding.PEM,
                                                                 serialization.PublicFormat.SubjectPublicKeyInfo))
    key_name = "organizations/test-org/apiKeys/test-key"
    recording = tmp_path / "advanced-trade.jsonl"
    advanced_trade_recording(recording)
    tops = reference_tops(recording)
    final = {product: states[-1] for product, states in tops.items()}
    events, ingest_log, server_log = run_live(
        tmp_path, recording, server_args=["--jwt-key", f"{key_name}:{public_pem}"],
        ingest_args=["--log-level", "trace"],
        # As an environment file would carry it: one line, newlines written as \n.
        ingest_env={"BOOKBUS_COINBASE_JWT_KEY_NAME": key_name,
                    "BOOKBUS_COINBASE_JWT_PRIVATE_KEY": private_pem.replace("\n", "\\n")},
        until_events=lambda lines: len(lines) > 0 and all(
            any(shown(json.loads(l)) == final[p] for l in lines) for p in final))
    assert "accepted ['level2', 'market_trades', 'heartbeats'] with JWT" in server_log, server_log
    for event in events:
        assert shown(event) in tops[event["product"]], event
    body = "".join(line for line in private_pem.splitlines() if not line.startswith("-----"))
    assert_no_secret_in(ingest_log, body[:40], key_name)
