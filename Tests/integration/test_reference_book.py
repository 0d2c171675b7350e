"""The benchmark's Python reference (scripts/reference_book.py) ends with the same books as the
independent Decimal oracle, on generated realistic traffic in both formats and on a real recording,
so the ratio `bookbus bench` prints compares BookBus with a book that is right."""
import json
import subprocess
import sys

import pytest

from bookbus import ROOT, binary, oracle_tops

REFERENCE = ROOT / "scripts" / "reference_book.py"


def final_tops(recording):
    last = {}
    for (product, sequence), top in oracle_tops(recording).items():
        if product not in last or sequence > last[product][0]:
            last[product] = (sequence, top)
    return {product: top for product, (_, top) in last.items() if top[0] is not None and top[2] is not None}


def reference(recording):
    result = json.loads(subprocess.run([sys.executable, str(REFERENCE), str(recording)], check=True,
                                       capture_output=True, text=True).stdout)
    return result, {product: (top["bid"], top["bid_size"], top["ask"], top["ask_size"])
                    for product, top in result["tops"].items()}


@pytest.mark.parametrize("feed", ["exchange", "advanced-trade"])
def test_reference_book_agrees_with_the_oracle_on_realistic_traffic(tmp_path, feed):
    recording = tmp_path / "feed.jsonl"
    with recording.open("wb") as output:
        subprocess.run([binary(), "generate", "--feed", feed, "--updates", "3000"], stdout=output, check=True)
    result, tops = reference(recording)
    assert result["messages"] == 3003
    assert result["events"] > 100
    assert tops == final_tops(recording)


def test_reference_book_agrees_with_the_oracle_on_a_real_recording():
    recording = ROOT / "data" / "exchange-level2-2021-10products.jsonl"
    _, tops = reference(recording)
    assert len(tops) == 10
    assert tops == final_tops(recording)
