import CoinbaseFeed
import SyntheticFeed
import Testing

/// The fast scanner against the `JSONDecoder` path: whenever the scanner answers, its answer is
/// exactly the decoder's, field for field; and it answers for every real and generated book message.
@Suite struct FastScannerTests {
    let parser = FeedParser()

    func fast(_ frame: [UInt8]) -> FeedMessage? {
        frame.withUnsafeBufferPointer { FastFeedScannerProbe.parse($0) }
    }

    static func bookFrames() throws -> [[UInt8]] {
        try Fixtures.recordedAndGeneratedFrames { settings in
            settings.changesPerMessage = settings.feed == .exchange ? 1 : 3
            settings.depth = 200
        }
    }

    @Test func scannerAnswersForEveryBookMessageAndAgreesWithTheDecoder() throws {
        var books = 0
        for frame in try Self.bookFrames() {
            let reference = try parser.parseWithDecoder(frame)
            guard case .book = reference.kind else {
                #expect(fast(frame) == nil)
                continue
            }
            books += 1
            #expect(fast(frame) == reference, "\(String(decoding: frame.prefix(200), as: UTF8.self))")
        }
        #expect(books > 15_000)
    }

    @Test func mutatedMessagesNeverMakeTheScannerDisagree() throws {
        let frames = try Self.bookFrames().filter { $0.count < 20_000 }
        var random = SplitMix64(seed: 77)
        var answered = 0
        var declined = 0
        for index in 0..<100_000 {
            let mutated = FuzzTests.mutate(frames.randomElement(using: &random)!, using: &random)
            guard let answer = fast(mutated) else {
                declined += 1
                continue
            }
            answered += 1
            let reference = try? parser.parseWithDecoder(mutated)
            if reference != answer {
                Issue.record(
                    "case \(index): scanner \(answer) vs decoder \(String(describing: reference)) for \(String(decoding: mutated.prefix(300), as: UTF8.self))"
                )
                return
            }
        }
        #expect(answered > 10_000)
        #expect(declined > 10_000)
    }

    @Test func unusualButValidJSONIsLeftToTheDecoder() throws {
        let cases = [
            #"{"type":"l2update","product_id":"BTC-USD","changes":[["buy","1\u0030","1"]],"time":"t"}"#,
            #"{"type":"l2update","product_id":"BTC-USD","product_id":"ETH-USD","changes":[],"time":"t"}"#,
            #"{"type":"l2update","product_id":"BTC-USD","changes":[],"time":null}"#,
            #"{"type":"l2update","product_id":"BTC-USD","changes":[],"time":"ü"}"#,
        ]
        for text in cases {
            #expect(fast(Array(text.utf8)) == nil, "\(text)")
        }
        // Whitespace and key order are fine.
        let spaced = Array(
            #" { "changes" : [ [ "sell" , "2.50" , "0.1" ] ] , "type" : "l2update" , "product_id" : "X-Y" } "#.utf8)
        #expect(fast(spaced) == (try parser.parseWithDecoder(spaced)))
        #expect(fast(spaced) != nil)
        // An Advanced Trade update in another key order or with spaces takes the general object
        // reader, not the fixed-text one, and gives the same answer.
        for update in [
            #"{"price_level":"2.5","side":"bid","new_quantity":"1","event_time":"t"}"#,
            #"{ "side" : "offer", "event_time" : "t", "price_level" : "2.5", "new_quantity" : "0" }"#,
            #"{"side":"bid","event_time":"t","price_level":"2.5","new_quantity":"1","extra":[1,{"a":null}]}"#,
        ] {
            let frame = Array(
                (#"{"channel":"l2_data","timestamp":"t","sequence_num":1,"events":[{"type":"update","product_id":"X-Y","updates":["#
                    + update + "]}]}").utf8)
            #expect(fast(frame) != nil, "\(update)")
            #expect(fast(frame) == (try parser.parseWithDecoder(frame)), "\(update)")
        }
    }

    /// Strings are scanned eight bytes at a time: a byte the scanner must refuse is found at every
    /// offset of a word, and the bytes around the boundaries it tests for are still accepted.
    @Test func everyStringByteIsCheckedWhereverItFallsInAWord() throws {
        let text =
            #"{"type":"l2update","product_id":"BTC-USD","changes":[["buy","1.5","2"]],"time":"2025-11-24T16:00:00.001999Z"}"#
        let frame = Array(text.utf8)
        let timeStart = frame.count - 29
        let refused: [UInt8] = [0x5C, 0x00, 0x01, 0x1F, 0x80, 0xC3, 0xFF]
        let accepted: [UInt8] = [0x20, 0x21, 0x7E, 0x7F]
        for offset in 0..<27 {
            for byte in refused {
                var mutated = frame
                mutated[timeStart + offset] = byte
                #expect(fast(mutated) == nil, "byte \(byte) at \(offset)")
            }
            for byte in accepted {
                var mutated = frame
                mutated[timeStart + offset] = byte
                let answer = fast(mutated)
                #expect(answer != nil, "byte \(byte) at \(offset)")
                #expect(answer == (try parser.parseWithDecoder(mutated)), "byte \(byte) at \(offset)")
            }
        }
    }
}
