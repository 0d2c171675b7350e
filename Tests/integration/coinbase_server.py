#!/usr/bin/env python3
"""A local WebSocket server that speaks Coinbase's market-data subscribe protocol and serves a
recording, for testing the ingest's live path without the internet.

  coinbase_server.py --feed advanced-trade|exchange --recording FILE [--port 0] [--ready FILE]
                     [--skip-sequence N] [--no-heartbeats] [--pace FRAMES_PER_SECOND]
                     [--silence PRODUCT:SECONDS[:IGNORED]]
                     [--exchange-key KEY:SECRET:PASSPHRASE] [--jwt-key NAME:PUBLIC_KEY_PEM_FILE]

It checks the subscribe messages the feed requires, answers with a `subscriptions` ack, then sends
the frames of the recording (one frame per line; timed lines are unwrapped) that concern the
products this connection subscribed to, and keeps the connection open, sending a heartbeat every
second as Coinbase does. Advanced Trade frames get this connection's own contiguous `sequence_num`
(starting at 0 with the ack), except that --skip-sequence N leaves number N out, as a lost message
would. It writes the port it listens on to --ready once it accepts connections, and
logs each connection to stderr.

--pace sends at most that many frames a second. --silence (Exchange) makes one product go quiet
SECONDS after the connection starts, as Coinbase sometimes does while the connection stays alive:
its book frames are withheld (the server still applies them to its own book of the product) until
the client unsubscribes and subscribes that product again, which the server answers with a
snapshot of its book as it is then before it carries on; the first IGNORED renewals (default 0)
go unanswered, as if lost.

With --exchange-key the Exchange feed wants the authenticated `level2` channel and checks the
subscribe's key, passphrase, timestamp (within 30 s) and HMAC-SHA256 signature over
`timestamp + "GET/users/self/verify"` with the base64-decoded secret, as Coinbase does; a wrong
one gets Coinbase's error message and the connection closed. With --jwt-key every Advanced Trade
subscribe must carry a JWT signed (ES256) by that key's private half, with kid and sub the key
name, iss "cdp" and a current nbf/exp.
"""
import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import re
import sys
import time
from decimal import Decimal

import websockets


def load_frames(path):
    frames = []
    with open(path) as recording:
        for line in recording:
            line = line.strip()
            if line:
                frames.append(json.loads(line)["raw"] if line.startswith('{"ts"') else line)
    return frames


SEQUENCE = re.compile(r'"sequence_num":\s*\d+')


TRADE_TYPES = {"match", "last_match"}


def frame_for(frame, feed, products, trades):
    """The frame as this connection sees it (its products only, trades only when it subscribed to
    them), or None when it has none of them. Advanced Trade frames come back with a `{sequence}`
    placeholder for the connection's number."""
    message = json.loads(frame)
    if feed == "exchange":
        if not isinstance(message, dict):
            return frame
        if message.get("type") in TRADE_TYPES and not trades:
            return None
        product = message.get("product_id")
        return frame if product is None or product in products else None
    if message.get("channel") == "market_trades" and not trades:
        return None
    events = message.get("events") or []
    mine = []
    for event in events:
        if "trades" in event:
            kept = [t for t in event["trades"] if t.get("product_id") in products]
            if kept:
                mine.append({**event, "trades": kept})
        elif event.get("product_id") is None or event["product_id"] in products:
            mine.append(event)
    if events and not mine:
        return None
    if mine != events:
        message["events"] = mine
        frame = json.dumps(message, separators=(",", ":"))
    return SEQUENCE.sub('"sequence_num":{sequence}', frame.replace("{", "{{").replace("}", "}}"), count=1)


class Refused(Exception):
    """A subscribe Coinbase would refuse, with the error message it sends."""


def check_exchange_signature(message, expected_key):
    key, secret, passphrase = expected_key.split(":", 2)
    if "signature" not in message:
        raise Refused("level2, level3, and full channels now require authentication")
    if message.get("key") != key or message.get("passphrase") != passphrase:
        raise Refused("Authentication Failed: invalid key or passphrase")
    timestamp = message.get("timestamp", "")
    if abs(time.time() - float(timestamp)) > 30:
        raise Refused("Authentication Failed: request timestamp expired")
    mac = hmac.new(base64.b64decode(secret), f"{timestamp}GET/users/self/verify".encode(), hashlib.sha256)
    if not hmac.compare_digest(base64.b64encode(mac.digest()).decode(), message["signature"]):
        raise Refused("Authentication Failed: invalid signature")


def check_jwt(token, expected_key):
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, utils

    name, public_pem = expected_key.split(":", 1)
    public_key = serialization.load_pem_public_key(open(public_pem, "rb").read())

    def part(text):
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))

    if not token:
        raise Refused("a JWT is required")
    header_text, claims_text, signature_text = token.split(".")
    header, claims, signature = json.loads(part(header_text)), json.loads(part(claims_text)), part(signature_text)
    if header.get("alg") != "ES256" or header.get("kid") != name or not header.get("nonce"):
        raise Refused(f"bad JWT header {header}")
    now = time.time()
    if claims.get("iss") != "cdp" or claims.get("sub") != name or not claims["nbf"] - 5 <= now <= claims["exp"]:
        raise Refused(f"bad JWT claims {claims}")
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    try:
        public_key.verify(utils.encode_dss_signature(r, s), f"{header_text}.{claims_text}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise Refused("JWT signature does not verify")


def check_subscriptions(feed, messages, exchange_key=None, jwt_key=None):
    """The ack to send, after checking the client asked for what Coinbase requires."""
    if feed == "advanced-trade":
        if jwt_key:
            for message in messages:
                check_jwt(message.get("jwt"), jwt_key)
        channels = {m.get("channel") for m in messages}
        assert channels in ({"level2", "heartbeats"}, {"level2", "market_trades", "heartbeats"}), \
            f"expected level2 (+ market_trades) + heartbeats, got {channels}"
        products = messages[0]["product_ids"]
        return {"channel": "subscriptions", "timestamp": "2026-11-25T00:00:00Z", "sequence_num": 0,
                "events": [{"subscriptions": {c: products for c in sorted(channels)}}]}
    channels = messages[0].get("channels")
    book = "level2" if exchange_key else "level2_batch"
    assert channels in ([book, "heartbeat"], [book, "matches", "heartbeat"]), \
        f"expected {book} (+ matches) + heartbeat, got {channels}"
    if exchange_key:
        check_exchange_signature(messages[0], exchange_key)
    return {"type": "subscriptions", "channels": [{"name": c, "product_ids": messages[0]["product_ids"]} for c in channels]}


class Silence:
    """One product that goes quiet after some seconds (Exchange feed): its frames are withheld but
    kept in a book here, until the client renews its subscription; the renewal is answered with a
    snapshot of that book."""

    def __init__(self, spec, connection):
        self.product, after, *ignored = spec.split(":")
        self.after = float(after)
        self.ignored = int(ignored[0]) if ignored else 0
        self.connection = connection
        self.bids, self.asks = {}, {}
        self.renewed = asyncio.Event()
        self.unsubscribed = False
        self.reader = asyncio.ensure_future(self.read())

    async def read(self):
        try:
            async for text in self.connection:
                message = json.loads(text)
                if self.product not in message.get("product_ids", []):
                    continue
                print(f"{message['type']} {self.product}", file=sys.stderr, flush=True)
                if message["type"] == "unsubscribe":
                    self.unsubscribed = True
                elif message["type"] == "subscribe" and self.unsubscribed:
                    self.unsubscribed = False
                    if self.ignored > 0:
                        self.ignored -= 1
                        print(f"ignored a renewal of {self.product}", file=sys.stderr, flush=True)
                    else:
                        self.renewed.set()
        except websockets.ConnectionClosed:
            pass

    def keep(self, message):
        if message["type"] == "snapshot":
            self.bids = {price: size for price, size, *_ in message["bids"]}
            self.asks = {price: size for price, size, *_ in message["asks"]}
            return
        for side, price, size, *_ in message.get("changes", []):
            book = self.bids if side == "buy" else self.asks
            if Decimal(size) == 0:
                book.pop(price, None)
            else:
                book[price] = size

    async def lets_through(self, frame, elapsed):
        """Whether to send `frame` now; withholds the quiet product's and answers its renewal."""
        message = json.loads(frame)
        if message.get("product_id") != self.product or message.get("type") not in ("snapshot", "l2update"):
            return True
        self.keep(message)
        if elapsed < self.after:
            return True
        if not self.renewed.is_set():
            return False
        self.renewed.clear()
        self.after = float("inf")  # quiet once: from the renewal on, the product flows again
        snapshot = {"type": "snapshot", "product_id": self.product,
                    "bids": [[price, size] for price, size in sorted(self.bids.items(), key=lambda kv: -Decimal(kv[0]))],
                    "asks": [[price, size] for price, size in sorted(self.asks.items(), key=lambda kv: Decimal(kv[0]))]}
        await self.connection.send(json.dumps(snapshot))
        print(f"renewed {self.product}: sent a snapshot", file=sys.stderr, flush=True)
        return False  # the snapshot already holds this frame's change


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--feed", choices=["advanced-trade", "exchange"], required=True)
    parser.add_argument("--recording", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--ready")
    parser.add_argument("--skip-sequence", type=int)
    parser.add_argument("--no-heartbeats", action="store_true")
    parser.add_argument("--exchange-key")
    parser.add_argument("--jwt-key")
    parser.add_argument("--pace", type=float)
    parser.add_argument("--silence")
    args = parser.parse_args()
    frames = load_frames(args.recording)

    async def receive_subscribes(connection):
        """Advanced Trade takes one subscribe per channel, heartbeats last; the Exchange feed takes one."""
        messages = [json.loads(await asyncio.wait_for(connection.recv(), 5))]
        while args.feed == "advanced-trade" and messages[-1].get("channel") != "heartbeats" and len(messages) < 3:
            messages.append(json.loads(await asyncio.wait_for(connection.recv(), 5)))
        return messages

    async def serve(connection):
        print(f"connection from {connection.remote_address}", file=sys.stderr, flush=True)
        messages = await receive_subscribes(connection)
        assert all(m["type"] == "subscribe" for m in messages)
        try:
            ack = check_subscriptions(args.feed, messages, args.exchange_key, args.jwt_key)
        except Refused as refusal:
            print(f"refused: {refusal}", file=sys.stderr, flush=True)
            await connection.send(json.dumps({"type": "error", "message": "Failed to subscribe", "reason": str(refusal)}))
            await connection.close()
            return
        print(f"accepted {[m.get('channel') or m.get('channels') for m in messages]}"
              f"{' with signature' if args.exchange_key else ''}{' with JWT' if args.jwt_key else ''}", file=sys.stderr, flush=True)
        await connection.send(json.dumps(ack))
        products = set(messages[0]["product_ids"])
        trades = any(m.get("channel") == "market_trades" or "matches" in (m.get("channels") or []) for m in messages)
        sequence = 0

        def next_sequence():
            nonlocal sequence
            sequence += 1
            if sequence == args.skip_sequence:
                sequence += 1
            return sequence

        quiet = Silence(args.silence, connection) if args.silence else None
        started = time.monotonic()
        sent = 0
        for frame in frames:
            mine = frame_for(frame, args.feed, products, trades)
            if mine is None:
                continue
            if args.pace:
                await asyncio.sleep(max(0.0, started + sent / args.pace - time.monotonic()))
            if quiet and not await quiet.lets_through(mine, time.monotonic() - started):
                continue
            await connection.send(mine.format(sequence=next_sequence()) if args.feed == "advanced-trade" else mine)
            sent += 1
        print(f"sent {sent} frames for {sorted(products)}", file=sys.stderr, flush=True)
        if args.no_heartbeats:
            await connection.wait_closed()
            return
        try:
            while True:
                await asyncio.sleep(1)
                next_sequence()
                if args.feed == "advanced-trade":
                    beat = {"channel": "heartbeats", "timestamp": "2026-11-25T00:00:00Z", "sequence_num": sequence,
                            "events": [{"current_time": "2026-11-25T00:00:00Z", "heartbeat_counter": sequence}]}
                    await connection.send(json.dumps(beat))
                else:
                    for product in products:
                        await connection.send(json.dumps({"type": "heartbeat", "last_trade_id": 0, "product_id": product,
                                                          "sequence": sequence, "time": "2026-11-25T00:00:00Z"}))
        except websockets.ConnectionClosed:
            pass

    async with websockets.serve(serve, "127.0.0.1", args.port, max_size=None, compression=None) as server:
        port = server.sockets[0].getsockname()[1]
        if args.ready:
            with open(args.ready, "w") as ready:
                ready.write(str(port))
        await asyncio.Future()


if __name__ == "__main__":
    asyncio.run(main())
