#!/usr/bin/env python3
"""The benchmark's reference: the same recording through a single Python process with a
`sortedcontainers` book and `orjson`, no bus at all, as a Python user would write it.

Prices are ordered by their float value (exact for the ordering of Coinbase's decimal prices) and
kept as the strings Coinbase sent; a top-of-book event (best bid and ask with sizes, and the spread
as an exact Decimal) is encoded with orjson whenever a product's top of book changes. Prints one
JSON object: messages, events, seconds (the processing loop only, the file already in memory), and
each product's final top of book.

Exit status 3, with {"missing": ...}, when orjson or sortedcontainers is not installed.
"""
import json
import sys
import time
from decimal import Decimal

try:
    import orjson
    from sortedcontainers import SortedDict
except ImportError as error:
    print(json.dumps({"missing": str(error)}))
    sys.exit(3)


class Book:
    __slots__ = ("bids", "asks", "top")

    def __init__(self):
        self.bids = SortedDict()
        self.asks = SortedDict()
        self.top = None

    def set(self, is_bid, price, size):
        side = self.bids if is_bid else self.asks
        if float(size) == 0:
            side.pop(float(price), None)
        else:
            side[float(price)] = (price, size)

    def event(self, product):
        """The encoded top-of-book event when the top changed, else None."""
        if not self.bids or not self.asks:
            return None
        bid = self.bids.peekitem(-1)[1]
        ask = self.asks.peekitem(0)[1]
        top = (bid, ask)
        if top == self.top:
            return None
        self.top = top
        return orjson.dumps({"type": "tob", "product": product, "bid": bid[0], "bid_size": bid[1],
                             "ask": ask[0], "ask_size": ask[1], "spread": str(Decimal(ask[0]) - Decimal(bid[0]))})


def run(lines):
    books = {}
    events = 0
    for line in lines:
        message = orjson.loads(line)
        if message.get("channel") == "l2_data":
            for event in message["events"]:
                product = event["product_id"]
                if event["type"] == "snapshot":
                    book = books[product] = Book()
                else:
                    book = books.get(product)
                    if book is None:
                        continue
                for update in event["updates"]:
                    book.set(update["side"] == "bid", update["price_level"], update["new_quantity"])
                if book.event(product) is not None:
                    events += 1
        elif message.get("type") == "snapshot":
            product = message["product_id"]
            book = books[product] = Book()
            for price, size in message["bids"]:
                book.set(True, price, size)
            for price, size in message["asks"]:
                book.set(False, price, size)
            if book.event(product) is not None:
                events += 1
        elif message.get("type") == "l2update":
            product = message["product_id"]
            book = books.get(product)
            if book is None:
                continue
            for side, price, size in message["changes"]:
                book.set(side == "buy", price, size)
            if book.event(product) is not None:
                events += 1
    return books, events


def main(path):
    with open(path, "rb") as recording:
        lines = recording.read().splitlines()
    started = time.perf_counter()
    books, events = run(lines)
    seconds = time.perf_counter() - started
    tops = {product: {"bid": book.top[0][0], "bid_size": book.top[0][1], "ask": book.top[1][0],
                      "ask_size": book.top[1][1]}
            for product, book in books.items() if book.top is not None}
    print(json.dumps({"messages": len(lines), "events": events, "seconds": seconds, "tops": tops}))


if __name__ == "__main__":
    main(sys.argv[1])
