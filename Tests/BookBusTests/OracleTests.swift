import BookBusCore
import CoinbaseFeed
import Foundation
import OrderBook
import Testing

/// The Swift book against the independent Python/Decimal oracle in `Tests/oracle/`, over real
/// recordings: the top of book after every book message must match, digit for digit.
@Suite struct OracleTests {
    struct Top: Decodable, Equatable, CustomStringConvertible {
        var product: String
        var bid: String?
        var bidSize: String?
        var ask: String?
        var askSize: String?

        var description: String { "\(product) \(bid ?? "-") × \(bidSize ?? "-") / \(ask ?? "-") × \(askSize ?? "-")" }
    }

    func oracleTops(_ recording: String) throws -> [Top] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", Fixtures.packageRoot.appendingPathComponent("Tests/oracle/book_oracle.py").path, recording,
            "--tops",
        ]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return try data.split(separator: UInt8(ascii: "\n")).map {
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .convertFromSnakeCase
            return try decoder.decode(Top.self, from: Data($0))
        }
    }

    func swiftTops(_ recording: String) throws -> [Top] {
        let parser = FeedParser()
        var books: [String: ProductBook<OrderBook>] = [:]
        var tops: [Top] = []
        let reader = try RecordingReader(path: recording)
        while let frame = try reader.next() {
            guard case .book(let messages) = try parser.parse(frame.bytes).kind else { continue }
            var touched: [String] = []
            for message in messages {
                let outcome = books[message.product, default: ProductBook(product: message.product)].apply([message])
                #expect(outcome.failures.isEmpty)
                if !touched.contains(message.product) { touched.append(message.product) }
            }
            for product in touched {
                let top = books[product]!.book.topOfBook
                tops.append(
                    Top(
                        product: product, bid: top.bid?.price.description, bidSize: top.bid?.size.description,
                        ask: top.ask?.price.description, askSize: top.ask?.size.description))
            }
        }
        return tops
    }

    @Test(arguments: [Fixtures.tutorial, Fixtures.tenProducts, Fixtures.tenProductsTimed])
    func topOfBookMatchesTheOracleAfterEveryMessage(_ name: String) throws {
        let recording = Fixtures.recording(name)
        let expected = try oracleTops(recording)
        let actual = try swiftTops(recording)
        #expect(expected.count > 10)
        #expect(actual.count == expected.count)
        for (index, (mine, reference)) in zip(actual, expected).enumerated() where mine != reference {
            Issue.record("message \(index): swift \(mine) vs oracle \(reference)")
            break
        }
    }
}
