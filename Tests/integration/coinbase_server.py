#!/usr/bin/env python3
"""A local WebSocket server that speaks Coinbase's market-data subscribe protocol and serves a
recording, for testing the ingest's live path without the internet.

  coinbase_server.py --feed advanced-trade|exchange --recording FILE [--port 0] [--ready FILE]
                     [--skip-sequence N] [--no-heartbeats]

It checks the subscribe messages the feed requires, answers with a `subscriptions` ack, then sends
the frames of the recording (one frame per line; timed lines are unwrapped) that concern the
products this connection subscribed to, and keeps the connection open, sending a heartbeat every
second as Coinbase does. Advanced Trade frames get this connection's own contiguous `sequence_num`
(starting at 0 with the ack), except that --skip-sequence N leaves number N out, as a lost message
would. It writes the port it listens on to --ready once it accepts connections, and
logs each connection to stderr.
"""
import argparse
import asyncio
import json
import re
import sys

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


def frame_for(frame, feed, products):
    """The frame as this connection sees it (its products only), or None when it has none of them.
    Advanced Trade frames come back with a `{sequence}` placeholder for the connection's number."""
    message = json.loads(frame)
    if feed == "exchange":
        product = message.get("product_id") if isinstance(message, dict) else None
        return frame if product is None or product in products else None
    events = message.get("events") or []
    mine = [e for e in events if e.get("product_id") is None or e["product_id"] in products]
    if events and not mine:
        return None
    if len(mine) != len(events):
        message["events"] = mine
        frame = json.dumps(message, separators=(",", ":"))
    return SEQUENCE.sub('"sequence_num":{sequence}', frame.replace("{", "{{").replace("}", "}}"), count=1)


def check_subscriptions(feed, messages):
    """The ack to send, after checking the client asked for what Coinbase requires."""
    if feed == "advanced-trade":
        channels = {m.get("channel") for m in messages}
        assert channels == {"level2", "heartbeats"}, f"expected level2 + heartbeats, got {channels}"
        products = messages[0]["product_ids"]
        return {"channel": "subscriptions", "timestamp": "2026-11-25T00:00:00Z", "sequence_num": 0,
                "events": [{"subscriptions": {"level2": products, "heartbeats": products}}]}
    channels = messages[0].get("channels")
    assert channels == ["level2_batch", "heartbeat"], f"expected level2_batch + heartbeat, got {channels}"
    return {"type": "subscriptions", "channels": [{"name": c, "product_ids": messages[0]["product_ids"]} for c in channels]}


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--feed", choices=["advanced-trade", "exchange"], required=True)
    parser.add_argument("--recording", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--ready")
    parser.add_argument("--skip-sequence", type=int)
    parser.add_argument("--no-heartbeats", action="store_true")
    args = parser.parse_args()
    frames = load_frames(args.recording)
    expected_subscribes = 2 if args.feed == "advanced-trade" else 1

    async def serve(connection):
        print(f"connection from {connection.remote_address}", file=sys.stderr, flush=True)
        messages = [json.loads(await asyncio.wait_for(connection.recv(), 5)) for _ in range(expected_subscribes)]
        assert all(m["type"] == "subscribe" for m in messages)
        await connection.send(json.dumps(check_subscriptions(args.feed, messages)))
        products = set(messages[0]["product_ids"])
        sequence = 0

        def next_sequence():
            nonlocal sequence
            sequence += 1
            if sequence == args.skip_sequence:
                sequence += 1
            return sequence

        sent = 0
        for frame in frames:
            mine = frame_for(frame, args.feed, products)
            if mine is None:
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
