import BookBusCore
import CoinbaseFeed
import OrderBook
import SyntheticFeed
import Testing

/// Mutated real Coinbase messages through the parser and the book: no crash, no hang, and every
/// accepted message leaves books that pass their invariants.
@Suite struct FuzzTests {
    static let replacements: [[UInt8]] = [
        "-1", "0", "0.0", "1e5", "99999999999999999999", "0.0000000000000000001", "9223372036854775807", "\"", "null",
        "[]", "{}", "\"buy\"", "\"sell\"", "\"offer\"", ".", ",", "\\u0000", "NaN", "\"BTC/USD\"", "\"\"",
    ].map { Array($0.utf8) }

    static func mutate(_ frame: [UInt8], using random: inout SplitMix64) -> [UInt8] {
        var bytes = frame
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            guard !bytes.isEmpty else { break }
            let position = Int.random(in: 0..<bytes.count, using: &random)
            switch Int.random(in: 0..<6, using: &random) {
            case 0: bytes[position] = UInt8.random(in: 32...126, using: &random)
            case 1: bytes.remove(at: position)
            case 2: bytes.insert(contentsOf: replacements.randomElement(using: &random)!, at: position)
            case 3:
                // Replace a quoted value with something absurd.
                if let quote = bytes[position...].firstIndex(of: UInt8(ascii: "\"")),
                    let end = bytes[(quote + 1)...].firstIndex(of: UInt8(ascii: "\""))
                {
                    bytes.replaceSubrange(quote...end, with: replacements.randomElement(using: &random)!)
                }
            case 4: bytes.insert(UInt8.random(in: 48...57, using: &random), at: position)
            default: bytes = Array(bytes[..<position])
            }
        }
        return bytes
    }

    @Test func mutatedRealMessagesNeverBreakParserOrBook() throws {
        let frames = try Fixtures.frames(Fixtures.tenProducts).filter { $0.count < 20_000 }
        let snapshots = try Fixtures.frames(Fixtures.tenProducts).filter { $0.count >= 20_000 }
        let parser = FeedParser()
        var random = SplitMix64(seed: 20_261_125)
        var books: [String: ProductBook<OrderBook>] = [:]
        // Start from the real snapshots so updates have books to change.
        for frame in snapshots {
            guard case .book(let messages) = try parser.parse(frame).kind else { continue }
            for message in messages where message.isSnapshot {
                var book = ProductBook(product: message.product)
                #expect(book.apply([message]).failures.isEmpty)
                books[message.product] = book
            }
        }
        var accepted = 0
        var rejected = 0
        let cases = 100_000
        for index in 0..<cases {
            let original =
                index % 10 == 0 ? snapshots.randomElement(using: &random)! : frames.randomElement(using: &random)!
            let mutated = Self.mutate(original, using: &random)
            guard let message = try? parser.parse(mutated) else {
                rejected += 1
                continue
            }
            accepted += 1
            guard case .book(let bookMessages) = message.kind else { continue }
            for bookMessage in bookMessages {
                var book = books.removeValue(forKey: bookMessage.product) ?? ProductBook(product: bookMessage.product)
                let before = book.book.levels(.bid, limit: 3) + book.book.levels(.ask, limit: 3)
                if !book.apply([bookMessage]).failures.isEmpty {
                    // A refused message leaves the book exactly as it was.
                    #expect(book.book.levels(.bid, limit: 3) + book.book.levels(.ask, limit: 3) == before)
                }
                if let violation = book.book.invariantViolation() {
                    Issue.record(
                        "case \(index): \(violation) after \(String(decoding: mutated.prefix(300), as: UTF8.self))")
                    return
                }
                books[bookMessage.product] = book
            }
        }
        #expect(accepted + rejected == cases)
        // Both paths were exercised for real.
        #expect(accepted > 10_000)
        #expect(rejected > 10_000)
    }
}
