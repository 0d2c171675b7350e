import BookBusCore
import BusProtocol
import Foundation
import Testing

/// The sink's core without sockets: gaps, ends of stream, hand-overs, refusals.
@Suite struct SinkCoreTests {
    static func event(product: String = "BTC-USD", generation: UInt64 = 0, sequence: UInt64 = 1) -> String {
        #"{"type":"spread","product":"\#(product)","bid":"1","bid_size":"1","ask":"2","ask_size":"1","spread":"1","mid":"1.5","spread_bps":"6666.6667","crossed":false,"exchange_time":null,"ingest_time_ns":1,"source_seq":\#(sequence),"worker":"w","generation":\#(generation)}"#
    }

    static func message(_ topic: Topic, _ sequence: UInt64, _ payloads: [String], epoch: UInt64 = 3) -> BusMessage {
        let header = FrameHeader(epoch: epoch, sequence: sequence, receivedAtNanos: 10)
        return try! BusMessage(frames: [topic.bytes, header.bytes] + payloads.map { Array($0.utf8) })
    }

    static func control(_ message: ControlMessage) -> BusMessage {
        try! BusMessage(
            frames: [
                Topic.control.bytes, FrameHeader(epoch: 3, sequence: 1, receivedAtNanos: 0).bytes, message.encoded(),
            ])
    }

    static func statistics(_ core: SinkCore) -> [String: String] {
        core.report(refusedMessages: 0).logMetadata.mapValues { "\($0)" }
    }

    @Test func gapsInTheSequenceAndAtTheTailAreCounted() {
        var core = SinkCore(configuration: .init(format: .json))
        let spread = Topic.spread(product: "BTC-USD")
        core.take(Self.message(spread, 1, [Self.event()]), nowNanos: 0)
        core.take(Self.message(spread, 2, [Self.event(), Self.event()]), nowNanos: 0)  // 2 and 3
        core.take(Self.message(spread, 6, [Self.event()]), nowNanos: 0)  // 4 and 5 lost
        #expect(core.output.lines.count == 4)
        #expect(core.output.logs.map { "\($0.metadata["expected"] ?? "")/\($0.metadata["got"] ?? "")" } == ["4/6"])
        core.clearOutput()
        // The heartbeat says 8 went out: 7 and 8 never came.
        core.take(Self.control(.heartbeat(publisher: "w", epoch: 3, sequences: ["spread/BTC-USD/": 8])), nowNanos: 5)
        #expect(core.output.logs.first?.metadata["seen_by"] == "heartbeat of w")
        // Another epoch starts over: no gap.
        core.take(Self.message(spread, 1, [Self.event()], epoch: 4), nowNanos: 0)
        #expect(Self.statistics(core)["missed_upstream"] == "4")
    }

    @Test func itFinishesOnceEveryExpectedPublisherHasEnded() {
        var core = SinkCore(configuration: .init(exitAfterEnds: 2))
        core.take(Self.control(.endOfStream(publisher: "a")), nowNanos: 100)
        core.take(Self.control(.endOfStream(publisher: "a")), nowNanos: 150)
        #expect(!core.output.finished, "the same publisher twice is one")
        core.take(Self.message(.spread(product: "BTC-USD"), 1, [Self.event()]), nowNanos: 0)
        core.take(Self.control(.endOfStream(publisher: "b")), nowNanos: 200)
        #expect(core.output.finished)
        let statistics = Self.statistics(core)
        #expect(statistics["first_event_ingest_ns"] == "10" && statistics["last_end_of_stream_ns"] == "200")
    }

    @Test func anOlderGenerationOfAProductIsSuperseded() {
        var core = SinkCore(configuration: .init(format: .json))
        let btc = Topic.spread(product: "BTC-USD")
        core.take(Self.message(btc, 1, [Self.event(generation: 5)]), nowNanos: 0)
        core.take(Self.message(btc, 1, [Self.event(generation: 6)]), nowNanos: 0)  // the new owner
        core.take(Self.message(btc, 2, [Self.event(generation: 5)]), nowNanos: 0)  // the old one, late
        core.take(
            Self.message(.spread(product: "ETH-USD"), 1, [Self.event(product: "ETH-USD", generation: 5)]), nowNanos: 0)
        #expect(core.output.lines.count == 3)
        #expect(Self.statistics(core)["superseded"] == "1")
    }

    @Test func generationZeroEventsPassUntilAGroupGenerationSupersedesThem() {
        var filter = GenerationFilter()
        let admitted = [("A", 0), ("B", 0), ("A", 4), ("A", 0), ("B", 0)].map { product, generation in
            filter.admits(product: product, generation: UInt64(generation))
        }
        #expect(admitted == [true, true, true, false, true], "B has seen no higher generation")
        #expect(filter.superseded == 1)
    }

    @Test func eventsThatAreNotOneJSONObjectOnOneLineAreRefused() {
        var core = SinkCore(configuration: .init(format: .json))
        core.take(Self.message(.spread(product: "BTC-USD"), 1, ["{\"a\":\n1}", "[1]", Self.event()]), nowNanos: 0)
        #expect(core.output.lines.count == 1)
        #expect(core.report(refusedMessages: 1).logMetadata["rejected"] == "3")
    }

    @Test func textLinesAndTheSpreadFilter() throws {
        var core = SinkCore(configuration: .init(format: .text, minSpreadBasisPoints: try .init("7000")))
        core.take(Self.message(.spread(product: "BTC-USD"), 1, [Self.event()]), nowNanos: 0)
        #expect(core.output.lines.isEmpty, "6666.67 bps is below 7000")
        var all = SinkCore(configuration: .init(format: .text))
        all.take(Self.message(.spread(product: "BTC-USD"), 1, [Self.event()]), nowNanos: 0)
        #expect(
            all.output.lines.map { String(decoding: $0, as: UTF8.self) }.first?.hasPrefix(
                "BTC-USD spread 1 (6666.6667 bps)") == true)
    }

    @Test(arguments: [
        ("{\"generation\":42}", UInt64(42)), ("{\"x\":1}", nil), ("{\"generation\":99999999999999999999}", nil),
    ])
    func theGenerationIsReadWithoutDecoding(payload: String, expected: UInt64?) {
        #expect(BookEvent.generation(inPayload: Array(payload.utf8)) == expected)
    }
}
