#!/usr/bin/env python3
"""Reference for BookBus's worker streams, with Python's Decimal and the plain-dict book of
book_oracle.py, nothing shared with the Swift code. Reads a Coinbase recording (Exchange frames,
plain or timed JSON Lines) and prints the events a worker would publish, one JSON object per line:

  --depth N           depth events on change: the best N levels of each side whenever they change
  --conflate-ms MS    top-of-book, spread (and with --depth, depth) events once per MS interval of
                      the recording's receive times (timed recordings), as of the interval's end;
                      --repeat publishes unchanged intervals too
  --analytics         analytics events on change (or conflated): microprice, imbalance of the best
                      --imbalance-levels, sizes within --bands-bps, and market orders by --sizes
                      and --notionals, computed with exact fractions (see README, Streams)
  --trades            trade events (the taker's side), and the trade ids that were skipped
  --bars 1s,1m        OHLCV bars of the live trades per receive-time interval, with VWAP and
                      whether the bar is complete

Receive times are the recording's `ts`, to the microsecond, as `ingest --replay-clock recorded`
stamps them. Every number is printed exactly as the recording spelled it; derived numbers say how
they are rounded.
"""
import argparse
import json
import math
import sys
from decimal import Context, Decimal, DivisionByZero, Inexact, InvalidOperation, ROUND_HALF_UP, localcontext
from fractions import Fraction

from book_oracle import Book, book_messages, decimal_text, derived, products_named


def timed_frames(path):
    """(receive time in ns or None, decoded message) per line."""
    with open(path) as recording:
        for line in recording:
            line = line.strip()
            if not line:
                continue
            if line.startswith('{"ts"'):
                record = json.loads(line)
                yield round(record["ts"] * 1_000_000) * 1_000, record["raw"]
            else:
                yield None, line


def depth(book, levels):
    bids = [list(book.bids[price]) for price in sorted(book.bids, reverse=True)[:levels]]
    asks = [list(book.asks[price]) for price in sorted(book.asks)[:levels]]
    return bids, asks


def digits(text):
    """Fractional digits of a price as written: the book keeps its prices at the most it has seen."""
    return max(0, -Decimal(text).as_tuple().exponent)


def numeric(levels):
    return [(Decimal(p), Decimal(s)) for p, s in levels]


def interval_nanos(text):
    for suffix, unit in (("ms", 10**6), ("s", 10**9), ("m", 60 * 10**9), ("h", 3600 * 10**9)):
        if text.endswith(suffix) and text[: -len(suffix)].isdigit():
            return int(text[: -len(suffix)]) * unit
    raise SystemExit(f"bad interval {text}")


def rounded(value, digits):
    """A Fraction rounded half away from zero to `digits` fractional digits, as text."""
    scaled = abs(value) * 10**digits
    whole = math.floor(scaled + Fraction(1, 2))
    text = str(whole).rjust(digits + 1, "0")
    if digits:
        text = text[:-digits] + "." + text[-digits:]
    return ("-" if value < 0 and whole else "") + text


# Sums and products of decimals are exact at this precision; Inexact raises if one ever is not.
EXACT = Context(prec=400, traps=[Inexact, InvalidOperation, DivisionByZero])


def best_first(levels, order):
    """(price, size) Decimals of one side in `order` (its prices best first), read lazily."""
    for key in order:
        yield key, Decimal(levels[key][1])


def ratio(numerator, denominator):
    return Fraction(numerator) / Fraction(denominator)


def analytics(book, settings, digits):
    """The analytics values of a book (None with an empty side or crossed): exact Decimal sums and
    products, and each quotient an exact Fraction until it is rounded. Each walk reads a side from
    the touch and stops where its formula does."""
    if not book.bids or not book.asks:
        return None
    orders = {"bid": sorted(book.bids, reverse=True), "ask": sorted(book.asks)}
    b, a = orders["bid"][0], orders["ask"][0]
    if b >= a:
        return None
    bid_size, ask_size = Decimal(book.bids[b][1]), Decimal(book.asks[a][1])
    with localcontext(EXACT):
        mid = (a + b) / 2
        price_digits = min(18, digits + 4)

        def walk(side):
            return best_first(book.bids if side == "bid" else book.asks, orders[side])

        def best(side, count):
            return sum((size for _, (_, size) in zip(range(count), walk(side))), Decimal(0))

        def within(side, limit):
            inside = (lambda p: p >= limit) if side == "bid" else (lambda p: p <= limit)
            total = Decimal(0)
            for price, size in walk(side):
                if not inside(price):
                    break
                total += size
            return total

        depth_bid, depth_ask = best("bid", settings.imbalance_levels), best("ask", settings.imbalance_levels)
        values = {
            "mid": decimal_text(mid),
            "microprice": rounded(ratio(b * ask_size + a * bid_size, bid_size + ask_size), price_digits),
            "imbalance_levels": settings.imbalance_levels,
            "imbalance": rounded(ratio(depth_bid - depth_ask, depth_bid + depth_ask), 6),
            "bands": [{"bps": x, "bid_size": decimal_text(within("bid", mid * (1 - Decimal(x) / 10000))),
                       "ask_size": decimal_text(within("ask", mid * (1 + Decimal(x) / 10000)))}
                      for x in settings.bands],
            "impact": [],
        }
        targets = [("size", x) for x in settings.sizes] + [("notional", x) for x in settings.notionals]
        for unit, amount in targets:
            wanted = Decimal(amount)
            for side, takes in (("buy", "ask"), ("sell", "bid")):
                filled, notional, size = Decimal(0), Decimal(0), Fraction(0)
                whole = Decimal(0)
                for price, available in walk(takes):
                    remaining = wanted - filled
                    if remaining <= 0:
                        break
                    if unit == "size":
                        take = min(available, remaining)
                        filled, notional, whole = filled + take, notional + take * price, whole + take
                    elif available * price < remaining:
                        filled, notional, whole = filled + available * price, notional + available * price, whole + available
                    else:
                        # The last level fills the rest: remaining / price of it, a quotient.
                        filled, notional, size = wanted, wanted, ratio(remaining, price)
                size += Fraction(whole)
                average = Fraction(notional) / size
                fraction_mid = Fraction(mid)
                worse = (average - fraction_mid) if side == "buy" else (fraction_mid - average)
                values["impact"].append({"side": side, unit: amount, "filled": decimal_text(filled),
                                         "average_price": rounded(average, price_digits),
                                         "slippage_bps": rounded(worse / fraction_mid * 10000, 4)})
    return values


def comparable(values):
    """What decides whether analytics changed: every number compared by value."""
    def number(value):
        return value if value in ("buy", "sell") or not isinstance(value, str) else Fraction(value)

    return {key: [{k: number(v) for k, v in item.items()} for item in value] if isinstance(value, list) else number(value)
            for key, value in values.items()}


class BookStreams:
    """What the last events of one product showed."""

    def __init__(self, analytics_settings=None):
        self.top = "unset"
        self.spread = "unset"
        self.depth = None
        self.analytics_settings = analytics_settings
        self.analytics = None
        self.price_digits = 0

    def events(self, product, book, stamp, levels, interval_end, repeat, out):
        bid, ask = book.top()
        spread, mid, bps = derived(bid, ask)
        numeric_top = (bid and (Decimal(bid[0]), Decimal(bid[1])), ask and (Decimal(ask[0]), Decimal(ask[1])))
        seq, time = stamp
        common = {"product": product, "source_seq": seq, "exchange_time": time}
        if interval_end is not None:
            common["interval_end_ns"] = interval_end
        kinds = [kind for kind, due in (("tob", repeat or self.top != numeric_top), ("spread", repeat or self.spread != spread)) if due]
        self.top, self.spread = numeric_top, spread
        for kind in kinds:
            out.append({
                "type": kind, **common,
                "bid": bid and bid[0], "bid_size": bid and bid[1], "ask": ask and ask[0], "ask_size": ask and ask[1],
                "spread": None if spread is None else decimal_text(spread),
                "mid": None if mid is None else decimal_text(mid),
                "spread_bps": None if bps is None else decimal_text(bps),
            })
        if levels:
            bids, asks = depth(book, levels)
            shown = (numeric(bids), numeric(asks))
            if repeat or self.depth != shown:
                self.depth = shown
                out.append({"type": "depth", **common, "levels": levels, "bids": bids, "asks": asks})
        if self.analytics_settings:
            values = analytics(book, self.analytics_settings, self.price_digits)
            if values is not None and (repeat or comparable(values) != self.analytics):
                self.analytics = comparable(values)
                out.append({"type": "analytics", **common, **values})


def book_streams(args, out):
    books, streams, sequences = {}, {}, {}
    conflate = args.conflate_ms * 10**6 if args.conflate_ms else 0
    open_end, stamp = {}, {}

    def close(product, time, force=False):
        end = open_end.get(product)
        if end is None or not (force or time >= end):
            return
        streams[product].events(product, books[product], stamp[product], args.depth, end, args.repeat, out)
        if not args.repeat or force:
            open_end.pop(product)
            return
        following = end + conflate
        while following <= time:
            streams[product].events(product, books[product], stamp[product], args.depth, following, True, out)
            following += conflate
        open_end[product] = (max(time, following - conflate) // conflate + 1) * conflate

    for received, frame in timed_frames(args.recording):
        try:
            message = json.loads(frame)
        except ValueError:
            continue
        named = products_named(message)
        for product in named:
            sequences[product] = sequences.get(product, 0) + 1
            if conflate:
                close(product, received)
        for product, kind, payload, time in book_messages(message):
            book = books.setdefault(product, Book())
            product_streams = streams.setdefault(product, BookStreams(args.analytics and args))
            if kind == "snapshot":
                book.replace(*payload)
                product_streams.price_digits = max((digits(p) for p, _ in payload[0] + payload[1]), default=0)
            elif book.has_snapshot:
                for side, price, size in payload:
                    book.apply(side, price, size)
                    product_streams.price_digits = max(product_streams.price_digits, digits(price))
            else:
                continue
            current = (sequences[product], time)
            if conflate:
                stamp[product] = current
                open_end.setdefault(product, (received // conflate + 1) * conflate)
            else:
                streams[product].events(product, book, current, args.depth, None, False, out)
    for product in list(open_end):
        close(product, 0, force=True)


class Bar:
    def __init__(self, start, price, complete):
        self.start, self.complete = start, complete
        self.open = self.high = self.low = self.close = price
        self.volume = self.notional = Decimal(0)
        self.digits = 0
        self.trades = 0

    def add(self, price, size):
        p = Decimal(price)
        self.high = max(self.high, price, key=Decimal)
        self.low = min(self.low, price, key=Decimal)
        self.close = price
        self.volume += Decimal(size)
        self.notional += p * Decimal(size)
        self.digits = max(self.digits, -p.as_tuple().exponent)
        self.trades += 1

    def event(self, product, name, length, forced):
        digits = min(18, self.digits + 4)
        vwap = (self.notional / self.volume).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
        return {"type": "bar", "product": product, "interval": name, "start_ns": self.start,
                "end_ns": self.start + length, "open": self.open, "high": self.high, "low": self.low,
                "close": self.close, "volume": decimal_text(self.volume), "notional": decimal_text(self.notional),
                "vwap": decimal_text(vwap), "trades": self.trades, "complete": self.complete and not forced}


def trade_streams(args, out):
    """Trades and bars. A trade counts once (ids above the last one seen, Exchange numbering)."""
    intervals = [(name, interval_nanos(name)) for name in (args.bars.split(",") if args.bars else [])]
    last_id, first_seen, sequences = {}, {}, {}
    bars, loss = {}, {}
    for received, frame in timed_frames(args.recording):
        try:
            message = json.loads(frame)
        except ValueError:
            continue
        for product in products_named(message):
            sequences[product] = sequences.get(product, 0) + 1
            first_seen.setdefault(product, received)
            for name, length in intervals:
                bar = bars.get((product, name))
                if bar and received >= bar.start + length:
                    out.append(bar.event(product, name, length, False))
                    del bars[(product, name)]
        if message.get("type") not in ("match", "last_match"):
            continue
        product, trade_id = message["product_id"], int(message["trade_id"])
        previous = last_id.get(product)
        if previous is not None and trade_id <= previous:
            continue
        last_id[product] = trade_id
        missed = trade_id - previous - 1 if previous is not None else 0
        if missed:
            out.append({"type": "missed", "product": product, "missed": missed, "trade_id": str(trade_id)})
            for name, _ in intervals:
                if (product, name) in bars:
                    bars[(product, name)].complete = False
                else:
                    loss[(product, name)] = True
        if message["type"] == "last_match":
            continue
        if args.trades:
            out.append({"type": "trade", "product": product, "trade_id": str(trade_id), "price": message["price"],
                        "size": message["size"], "side": "sell" if message["side"] == "buy" else "buy",
                        "exchange_time": message.get("time"), "source_seq": sequences[product]})
        for name, length in intervals:
            bar = bars.get((product, name))
            if bar is None:
                start = received - received % length
                bar = bars[(product, name)] = Bar(start, message["price"], not loss.pop((product, name), False) and start >= first_seen[product])
            bar.add(message["price"], message["size"])
    for (product, name), bar in bars.items():
        out.append(bar.event(product, name, interval_nanos(name), True))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("recording")
    parser.add_argument("--depth", type=int, default=0)
    parser.add_argument("--conflate-ms", type=int, default=0)
    parser.add_argument("--repeat", action="store_true")
    parser.add_argument("--analytics", action="store_true")
    parser.add_argument("--imbalance-levels", type=int, default=5)
    parser.add_argument("--bands-bps", default="10,50")
    parser.add_argument("--sizes", default="")
    parser.add_argument("--notionals", default="1000")
    parser.add_argument("--trades", action="store_true")
    parser.add_argument("--bars", default="")
    args = parser.parse_args()
    args.bands = [x for x in args.bands_bps.split(",") if x]
    args.sizes = [x for x in args.sizes.split(",") if x]
    args.notionals = [x for x in args.notionals.split(",") if x]
    out = []
    if args.trades or args.bars:
        trade_streams(args, out)
    else:
        book_streams(args, out)
    for event in out:
        sys.stdout.write(json.dumps(event) + "\n")


if __name__ == "__main__":
    main()
