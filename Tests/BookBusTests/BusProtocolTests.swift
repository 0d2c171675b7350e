import BusProtocol
import CoinbaseFeed
import OrderBook
import Testing

@Suite struct TopicTests {
    @Test func topicsRoundTrip() {
        for topic: Topic in [
            .raw(product: "BTC-USD"), .rawUnrouted, .parsed(product: "BTC-USD"), .topOfBook(product: "ETH-EUR"),
            .spread(product: "A.B_C-D"), .control,
        ] {
            #expect(Topic(bytes: topic.bytes) == topic)
        }
        #expect(Topic.raw(product: "BTC-USD").description == "raw/BTC-USD/")
        #expect(Topic.parsed(product: "BTC-USD").description == "parsed/BTC-USD/")
        #expect(Topic(bytes: Array("raw/BTC-USD".utf8)) == nil)
        #expect(Topic(bytes: Array("nonsense".utf8)) == nil)
    }

    /// ZeroMQ matches subscriptions by prefix: no product's topic may start with another's.
    @Test func noProductTopicPrefixesAnother() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("AB-._9")
        var products = ["BTC-USD", "BTC-USDC", "BTC-USD-PERP", "BTC", "B", "ETH-USD", "ETH-US"]
        for _ in 0..<300 {
            let length = Int.random(in: 1...6, using: &generator)
            products.append(String((0..<length).map { _ in alphabet.randomElement(using: &generator)! }))
        }
        let distinct = Array(Set(products))
        for kind in [Topic.raw, Topic.parsed, Topic.topOfBook, Topic.spread] {
            for first in distinct {
                for second in distinct where first != second {
                    #expect(!kind(second).description.hasPrefix(kind(first).description), "\(first) vs \(second)")
                }
                #expect(!Topic.rawUnrouted.description.hasPrefix(Topic.raw(product: first).description))
                #expect(!Topic.raw(product: first).description.hasPrefix(Topic.rawUnrouted.description))
            }
        }
    }

    @Test func productIdsAreRestrictedToSafeCharacters() {
        #expect(ProductID.isValid("BTC-USD"))
        #expect(ProductID.isValid("BIT-31OCT24-CDE"))
        #expect(!ProductID.isValid(""))
        #expect(!ProductID.isValid("BTC/USD"))
        #expect(!ProductID.isValid("BTC USD"))
        #expect(!ProductID.isValid("*"))
        #expect(!ProductID.isValid(String(repeating: "A", count: 65)))
    }
}

@Suite struct FrameHeaderTests {
    @Test func roundTripsAndIsBigEndian() throws {
        let header = FrameHeader(epoch: 0x0102_0304_0506_0708, sequence: 42, receivedAtNanos: 1_657_738_732_495_040_000)
        let bytes = header.bytes
        #expect(bytes.count == 32)
        #expect(bytes[0] == 4)
        #expect(Array(bytes[1..<8]) == [0, 0, 0, 0, 0, 0, 0])
        #expect(Array(bytes[8..<16]) == [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(bytes[23] == 42)
        #expect(try FrameHeader(bytes: bytes) == header)
    }

    @Test func rejectsWrongLengthAndVersion() {
        #expect(throws: BusProtocolError.badHeaderLength(31)) {
            try FrameHeader(bytes: [UInt8](repeating: 1, count: 31))
        }
        var bytes = FrameHeader(epoch: 1, sequence: 1, receivedAtNanos: 1).bytes
        bytes[0] = 9
        #expect(throws: BusProtocolError.unsupportedVersion(9)) { try FrameHeader(bytes: bytes) }
        // Version 1 had one payload per message, version 2 batched raw topics only, version 3 had
        // no parsed topics (its workers would wait for raw/ in vain): all are refused.
        for old: UInt8 in [1, 2, 3] {
            bytes[0] = old
            #expect(throws: BusProtocolError.unsupportedVersion(old)) { try FrameHeader(bytes: bytes) }
        }
    }

    @Test func batchPayloadsCountOnFromTheFirstSequence() {
        let first = FrameHeader(epoch: 7, sequence: 41, receivedAtNanos: 99)
        #expect(first.advanced(by: 0) == first)
        #expect(first.advanced(by: 3) == FrameHeader(epoch: 7, sequence: 44, receivedAtNanos: 99))
    }

    @Test func dataTopicsMayCarryBatchesControlDoesNot() {
        #expect(Topic.raw(product: "BTC-USD").carriesBatches && Topic.rawUnrouted.carriesBatches)
        #expect(Topic.spread(product: "BTC-USD").carriesBatches && Topic.topOfBook(product: "BTC-USD").carriesBatches)
        #expect(!Topic.control.carriesBatches)
    }
}

@Suite struct BookEventTests {
    @Test func encodesExactDecimalsAndDecodesBack() throws {
        let top = TopOfBook(
            bid: PriceLevel(price: try ExactDecimal("19814.24"), size: try ExactDecimal("0.05")),
            ask: PriceLevel(price: try ExactDecimal("19816.94"), size: try ExactDecimal("0.50382230")))
        let event = BookEvent(
            kind: .spread, product: "BTC-USD", top: top, exchangeTime: "2022-07-13T18:58:52.495040Z",
            ingestTimeNanos: 7,
            sourceSequence: 16, worker: "worker-0", generation: 0)
        let json = String(decoding: event.encoded(), as: UTF8.self)
        #expect(
            json
                == #"{"type":"spread","product":"BTC-USD","bid":"19814.24","bid_size":"0.05","ask":"19816.94","ask_size":"0.50382230","spread":"2.70","mid":"19815.59","spread_bps":"1.3626","crossed":false,"exchange_time":"2022-07-13T18:58:52.495040Z","ingest_time_ns":7,"source_seq":16,"worker":"worker-0","generation":0}"#
        )
        let decoded = try BookEvent(json: event.encoded())
        #expect(decoded == event)
        #expect(decoded.top.bid?.size.description == "0.05")
    }

    @Test func emptySideIsNull() throws {
        let top = TopOfBook(bid: nil, ask: PriceLevel(price: try ExactDecimal("1.5"), size: try ExactDecimal("2")))
        let event = BookEvent(
            kind: .topOfBook, product: "X-Y", top: top, exchangeTime: nil, ingestTimeNanos: 1, sourceSequence: 1,
            worker: "w", generation: 3)
        let json = String(decoding: event.encoded(), as: UTF8.self)
        #expect(
            json.contains(
                #""bid":null,"bid_size":null,"ask":"1.5","ask_size":"2","spread":null,"mid":null,"spread_bps":null"#))
        #expect(try BookEvent(json: event.encoded()) == event)
    }

    @Test func controlMessagesRoundTrip() throws {
        let message = ControlMessage.endOfStream(publisher: "worker-\"1\"")
        #expect(try ControlMessage(json: message.encoded()) == message)
        let heartbeat = ControlMessage.heartbeat(
            publisher: "ingest-1", epoch: UInt64.max, sequences: ["raw/BTC-USD/": 42, "raw/*/": 3])
        #expect(try ControlMessage(json: heartbeat.encoded()) == heartbeat)
        // The epoch is a decimal string: 2^64 - 1 does not survive a JSON double.
        #expect(String(decoding: heartbeat.encoded(), as: UTF8.self).contains(#""epoch":"18446744073709551615""#))
        // Stale products ride along only when there are some.
        #expect(!String(decoding: heartbeat.encoded(), as: UTF8.self).contains("stale"))
        let staleBeat = ControlMessage.heartbeat(publisher: "i", epoch: 1, sequences: [:], stale: ["ETH-USD"])
        #expect(String(decoding: staleBeat.encoded(), as: UTF8.self).contains(#""stale":["ETH-USD"]"#))
        #expect(try ControlMessage(json: staleBeat.encoded()) == staleBeat)
        #expect(throws: BusProtocolError.self) {
            try ControlMessage(json: Array(#"{"type":"x","publisher":"p"}"#.utf8))
        }
    }
}

@Suite struct SnapshotPayloadTests {
    @Test func writesTheBookAsACoinbaseSnapshotBestFirstThatReadsBackExactly() throws {
        func levels(_ pairs: [(String, String)]) throws -> [PriceLevel] {
            try pairs.map { PriceLevel(price: try ExactDecimal($0.0), size: try ExactDecimal($0.1)) }
        }
        var book = SnapshotBook(product: "BTC-USD")
        var sorted = OrderBook(product: "BTC-USD")
        let bids = try levels([("19814.24", "0.05"), ("19814.5", "1.10"), ("19700", "0.00012345")])
        let asks = try levels([("19815.01", "2"), ("19900.00", "0.5")])
        try book.replace(bids: bids, asks: asks)
        try sorted.replace(bids: bids, asks: asks)
        let payload = SnapshotProtocol.snapshotPayload(of: book)
        #expect(
            String(decoding: payload, as: UTF8.self)
                == #"{"type":"snapshot","product_id":"BTC-USD","bids":[["19814.50","1.10"],["19814.24","0.05"],"#
                + #"["19700.00","0.00012345"]],"asks":[["19815.01","2"],["19900.00","0.5"]]}"#)
        guard case .book(let messages) = try FeedParser().parse(payload).kind,
            case .snapshot(let readBids, let readAsks) = messages.first?.content
        else {
            Issue.record("not a snapshot")
            return
        }
        #expect(readBids == sorted.levels(.bid) && readAsks == sorted.levels(.ask))
        var empty = SnapshotBook(product: "E-USD")
        try empty.replace(bids: [], asks: [])
        #expect(
            String(decoding: SnapshotProtocol.snapshotPayload(of: empty), as: UTF8.self)
                == #"{"type":"snapshot","product_id":"E-USD","bids":[],"asks":[]}"#)
    }
}

@Suite struct GroupAssignmentTests {
    @Test func everyProductHasExactlyOneLiveOwnerAndChangesMoveLittle() {
        let products = (0..<300).map { "P\($0)-USD" }
        let three = GroupAssignment.assign(products: products, members: ["w-a", "w-b", "w-c"])
        #expect(three.values.map(\.count).reduce(0, +) == products.count)
        #expect(Set(three.values.flatMap { $0 }).count == products.count)
        #expect(three.values.allSatisfy { !$0.isEmpty })
        // w-b leaves: only its products move.
        let two = GroupAssignment.assign(products: products, members: ["w-a", "w-c"])
        #expect(Set(two["w-a"]!).isSuperset(of: three["w-a"]!))
        #expect(Set(two["w-c"]!).isSuperset(of: three["w-c"]!))
        // w-d joins: products only move to it.
        let four = GroupAssignment.assign(products: products, members: ["w-a", "w-b", "w-c", "w-d"])
        for member in ["w-a", "w-b", "w-c"] { #expect(Set(four[member]!).isSubset(of: three[member]!)) }
        #expect(GroupAssignment.assign(products: products, members: []).isEmpty)
    }

    @Test func assignmentFramesRoundTrip() {
        let assignment = Assignment(generation: 7, members: 3, products: ["BTC-USD", "ETH-USD"])
        #expect(Assignment(frames: assignment.frames) == assignment)
        #expect(Assignment(frames: [Array("ASSIGN".utf8), Array("{".utf8)]) == nil)
    }
}

@Suite struct ShardAssignmentTests {
    @Test func everyProductHasExactlyOneOwnerForAnyWorkerCount() throws {
        let products = (0..<500).map { "P\($0)-USD" } + ["BTC-USD", "ETH-USD", "BAND-GBP", "SKL-GBP", "NU-GBP"]
        for count in 1...9 {
            let shards = try (0..<count).map { try ShardAssignment(index: $0, count: count) }
            for product in products {
                #expect(shards.filter { $0.owns(product) }.count == 1, "\(product) with \(count) workers")
            }
            if count > 1 {
                // Not degenerate: every worker gets some of 500 products.
                for shard in shards { #expect(products.contains { shard.owns($0) }) }
            }
        }
    }

    @Test func addingAWorkerMovesOnlyProductsToIt() throws {
        let products = (0..<1000).map { "P\($0)-USD" }
        for count in 1...6 {
            for product in products {
                let before = ShardAssignment.owner(of: product, workers: count)
                let after = ShardAssignment.owner(of: product, workers: count + 1)
                #expect(after == before || after == count)
            }
        }
    }

    @Test func parsesAndValidates() throws {
        #expect(try ShardAssignment(parsing: "1/3") == ShardAssignment(index: 1, count: 3))
        for bad in ["3/3", "-1/2", "1", "a/b", "1/0", "0/2/3"] {
            #expect(throws: ShardError.self) { try ShardAssignment(parsing: bad) }
        }
    }
}
