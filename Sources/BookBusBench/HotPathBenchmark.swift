import BusProtocol
import CoinbaseFeed
import OrderBook

/// One measured row of the benchmark table.
public struct BenchResult: Sendable {
    public var name: String
    public var count: Int
    public var seconds: Double

    public var perSecond: Double { Double(count) / seconds }
    public var nanosecondsEach: Double { seconds * 1e9 / Double(count) }
}

/// The single-core hot path: parse, apply, and parse + apply + event encode, on generated frames.
public enum HotPathBenchmark {
    /// Runs the three stages over `frames` (snapshots first, then updates) and checks the final
    /// books against a second, independent pass, so a fast wrong answer cannot pass.
    public static func run(frames: [[UInt8]], label: String) throws -> [BenchResult] {
        let parser = FeedParser()
        let updates = frames.count

        // 1. Parse only.
        var parsed: [FeedMessage] = []
        parsed.reserveCapacity(updates)
        let parseTime = try measure {
            for frame in frames { parsed.append(try parser.parse(frame)) }
        }

        // 2. Apply only (the parsed messages).
        var books: [String: OrderBook] = [:]
        let applyTime = try measure {
            for message in parsed { try apply(message, to: &books) }
        }

        // 3. Everything a worker does per message: parse, apply, encode the events; like the worker,
        // one dictionary lookup per product message into a shared (class) state.
        var states: [String: ProductBench] = [:]
        var encodedBytes = 0
        var eventBuffer: [UInt8] = []
        eventBuffer.reserveCapacity(512)
        let fullTime = try measure {
            for frame in frames {
                let message = try parser.parse(frame)
                guard case .book(let bookMessages) = message.kind else { continue }
                for bookMessage in bookMessages {
                    let state: ProductBench
                    if let known = states[bookMessage.product] {
                        state = known
                    } else {
                        state = ProductBench(product: bookMessage.product)
                        states[bookMessage.product] = state
                    }
                    try state.book.apply(bookMessage.content)
                    let top = state.book.topOfBook
                    guard state.lastTop != top else { continue }
                    state.lastTop = top
                    let event = BookEvent(
                        kind: .spread, product: bookMessage.product, top: top, exchangeTime: bookMessage.exchangeTime,
                        ingestTimeNanos: 0, sourceSequence: 0, worker: "bench", generation: 0)
                    eventBuffer.removeAll(keepingCapacity: true)
                    event.encode(into: &eventBuffer)
                    encodedBytes += eventBuffer.count
                }
            }
        }
        for (product, book) in books {
            guard states[product]?.book.levels(.bid) == book.levels(.bid),
                states[product]?.book.levels(.ask) == book.levels(.ask)
            else { throw BenchError(description: "\(label): the two passes disagree on \(product)") }
            if let violation = book.invariantViolation() {
                throw BenchError(description: "\(label) \(product): \(violation)")
            }
        }
        precondition(encodedBytes > 0)
        return [
            BenchResult(name: "\(label): parse", count: updates, seconds: parseTime),
            BenchResult(name: "\(label): apply", count: updates, seconds: applyTime),
            BenchResult(name: "\(label): parse + apply + event", count: updates, seconds: fullTime),
        ]
    }

    /// Parse and load one snapshot frame, best of `repeats`.
    public static func snapshotLoad(_ frame: [UInt8], label: String, repeats: Int = 5) throws -> BenchResult {
        let parser = FeedParser()
        var best = Double.infinity
        for _ in 0..<repeats {
            var books: [String: OrderBook] = [:]
            best = min(best, try measure { try apply(try parser.parse(frame), to: &books) })
        }
        return BenchResult(name: "snapshot \(label) (\(frame.count / 1_000) kB)", count: 1, seconds: best)
    }

    static func apply(_ message: FeedMessage, to books: inout [String: OrderBook]) throws {
        guard case .book(let bookMessages) = message.kind else { return }
        for bookMessage in bookMessages {
            var book = books.removeValue(forKey: bookMessage.product) ?? OrderBook(product: bookMessage.product)
            defer { books[bookMessage.product] = book }
            try book.apply(bookMessage.content)
        }
    }

    static func measure(_ body: () throws -> Void) rethrows -> Double {
        let start = ContinuousClock.now
        try body()
        return (ContinuousClock.now - start) / .seconds(1)
    }
}

/// One product's state in the full hot-path stage, as the worker keeps it: a class, so applying a
/// message never copies the book.
private final class ProductBench {
    var book: OrderBook
    var lastTop: TopOfBook?

    init(product: String) {
        book = OrderBook(product: product)
    }
}

/// A benchmark that could not run, or whose output was wrong.
public struct BenchError: Error, CustomStringConvertible {
    public var description: String
}
