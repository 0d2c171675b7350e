#!/usr/bin/env python3
"""Reference order book for BookBus tests: Python's Decimal and plain dicts, nothing shared with
the Swift code. Reads a Coinbase recording (Exchange or Advanced Trade frames, plain or timed JSON
Lines) and prints, one JSON object per line:

  --tops    the top of book after every book message: product, bid, bid_size, ask, ask_size, and
            seq, the message's sequence number on its bus topic raw/<product>/ (every message
            naming the product counts, book or not)
  --events  the events a worker publishes under --emit (change | every-message), with spread,
            mid and spread_bps, in the worker's payload field names

Prices and sizes are printed exactly as the recording spelled them.
"""
import argparse
import json
import sys
from decimal import Decimal, ROUND_HALF_UP


class Book:
    def __init__(self):
        self.bids = {}  # Decimal price -> (price text, size text)
        self.asks = {}
        self.has_snapshot = False

    def replace(self, bids, asks):
        self.bids = {Decimal(p): (p, s) for p, s in bids if Decimal(s) != 0}
        self.asks = {Decimal(p): (p, s) for p, s in asks if Decimal(s) != 0}
        self.has_snapshot = True

    def apply(self, side, price, size):
        levels = self.bids if side == "bid" else self.asks
        key = Decimal(price)
        if Decimal(size) == 0:
            levels.pop(key, None)
        else:
            levels[key] = (price, size)

    def top(self):
        bid = self.bids[max(self.bids)] if self.bids else None
        ask = self.asks[min(self.asks)] if self.asks else None
        return bid, ask


SIDES = {"buy": "bid", "bid": "bid", "sell": "ask", "offer": "ask", "ask": "ask"}


def products_named(message):
    """The products a message names, in first-appearance order (the ingest's routing)."""
    names = []
    if isinstance(message, dict):
        if message.get("product_id"):
            names.append(message["product_id"])
        for event in message.get("events") or []:
            if event.get("product_id"):
                names.append(event["product_id"])
            for ticker in event.get("tickers") or []:
                if ticker.get("product_id"):
                    names.append(ticker["product_id"])
    return list(dict.fromkeys(names))


def book_messages(message):
    """Yields (product, kind, payload, time) for each book message in one decoded frame."""
    if not isinstance(message, dict):
        return
    if message.get("channel") == "l2_data":
        for event in message["events"]:
            if event["type"] == "snapshot":
                bids = [(u["price_level"], u["new_quantity"]) for u in event["updates"] if SIDES[u["side"]] == "bid"]
                asks = [(u["price_level"], u["new_quantity"]) for u in event["updates"] if SIDES[u["side"]] == "ask"]
                yield event["product_id"], "snapshot", (bids, asks), message.get("timestamp")
            else:
                changes = [(SIDES[u["side"]], u["price_level"], u["new_quantity"]) for u in event["updates"]]
                yield event["product_id"], "update", changes, message.get("timestamp")
    elif message.get("type") == "snapshot":
        yield message["product_id"], "snapshot", ([tuple(l[:2]) for l in message["bids"]], [tuple(l[:2]) for l in message["asks"]]), message.get("time")
    elif message.get("type") == "l2update":
        yield message["product_id"], "update", [(SIDES[c[0]], c[1], c[2]) for c in message["changes"]], message.get("time")


def frames(path):
    with open(path) as recording:
        for line in recording:
            line = line.strip()
            if not line:
                continue
            if line.startswith('{"ts"'):
                yield json.loads(line)["raw"]
            else:
                yield line


def decimal_text(value):
    """A Decimal as plain text without exponent, keeping its digits."""
    return format(value, "f")


def derived(bid, ask):
    if bid is None or ask is None:
        return None, None, None
    b, a = Decimal(bid[0]), Decimal(ask[0])
    spread = a - b
    mid = (a + b) / 2
    bps = (spread * 10000 / mid).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    return spread, mid, bps


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("recording")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--tops", action="store_true")
    mode.add_argument("--events", action="store_true")
    parser.add_argument("--emit", choices=["change", "every-message"], default="change")
    args = parser.parse_args()

    books = {}
    last_top = {}
    last_spread = {}
    sequences = {}
    out = sys.stdout
    for frame in frames(args.recording):
        try:
            message = json.loads(frame)
        except ValueError:
            continue
        for product in products_named(message):
            sequences[product] = sequences.get(product, 0) + 1
        touched = {}
        for product, kind, payload, time in book_messages(message):
            book = books.setdefault(product, Book())
            if kind == "snapshot":
                book.replace(*payload)
            elif book.has_snapshot:
                for side, price, size in payload:
                    book.apply(side, price, size)
            else:
                continue
            touched[product] = time or touched.get(product)
        for product, time in touched.items():
            book = books[product]
            bid, ask = book.top()
            if args.tops:
                out.write(json.dumps({"product": product, "seq": sequences[product], "bid": bid and bid[0],
                                      "bid_size": bid and bid[1], "ask": ask and ask[0], "ask_size": ask and ask[1]}) + "\n")
                continue
            spread, mid, bps = derived(bid, ask)
            numeric_top = (bid and (Decimal(bid[0]), Decimal(bid[1])), ask and (Decimal(ask[0]), Decimal(ask[1])))
            kinds = []
            if args.emit == "every-message" or last_top.get(product, "unset") != numeric_top:
                kinds.append("tob")
            if args.emit == "every-message" or last_spread.get(product, "unset") != spread:
                kinds.append("spread")
            last_top[product] = numeric_top
            last_spread[product] = spread
            for event_kind in kinds:
                out.write(json.dumps({
                    "type": event_kind, "product": product,
                    "bid": bid and bid[0], "bid_size": bid and bid[1], "ask": ask and ask[0], "ask_size": ask and ask[1],
                    "spread": None if spread is None else decimal_text(spread),
                    "mid": None if mid is None else decimal_text(mid),
                    "spread_bps": None if bps is None else decimal_text(bps),
                    "crossed": bid is not None and ask is not None and Decimal(bid[0]) >= Decimal(ask[0]),
                    "exchange_time": time,
                }) + "\n")


if __name__ == "__main__":
    main()
