import CoinbaseFeed
import OrderBook
import Testing

/// The ingest's parsed payloads: every book update reads back exactly as the JSON parser reads the
/// Coinbase message, digit for digit; everything else travels verbatim; and no payload a broken or
/// hostile publisher could send crashes the reader or passes as an update.
@Suite struct ParsedPayloadTests {
    let parser = FeedParser()

    /// Real recordings, and generated traffic of both formats in the realistic profile (several
    /// changes a message, deep books).
    static func frames() throws -> [[UInt8]] {
        try Fixtures.recordedAndGeneratedFrames()
    }

    func encoded(_ frame: [UInt8], product: String) -> [UInt8] {
        var messages: [BookMessage] = []
        if case .book(let parsed)? = try? parser.parse(frame).kind { messages = parsed }
        var bytes: [UInt8] = []
        ParsedPayload.encode(frame: frame, messages: messages, product: product, into: &bytes)
        return bytes
    }

    /// Every decimal as mantissa and scale, so that `1.50` and `1.5` (equal numbers) differ.
    func spelled(_ messages: [BookMessage]) -> [String] {
        messages.map { message in
            guard case .update(let changes) = message.content else { return "snapshot" }
            let text = changes.map {
                "\($0.side) \($0.price.mantissa)/\($0.price.scale) \($0.size.mantissa)/\($0.size.scale)"
            }
            return "\(message.product) \(message.exchangeTime ?? "-") " + text.joined(separator: ", ")
        }
    }

    @Test func updatesReadBackAsTheJSONParserReadsThemAndTheRestVerbatim() throws {
        var updates = 0
        var verbatim = 0
        for frame in try Self.frames() {
            guard case .book(let messages) = try parser.parse(frame).kind, let product = messages.first?.product else {
                #expect(
                    try ParsedPayload.decode(encoded(frame, product: "BTC-USD"), product: "BTC-USD") == .verbatim(frame)
                )
                verbatim += 1
                continue
            }
            switch try ParsedPayload.decode(encoded(frame, product: product), product: product) {
            case .updates(let decoded):
                #expect(decoded == messages)
                #expect(spelled(decoded) == spelled(messages))
                #expect(!messages.contains { $0.isSnapshot })
                updates += 1
            case .verbatim(let bytes):
                #expect(bytes == frame)
                #expect(messages.contains { $0.isSnapshot })
                verbatim += 1
            }
        }
        #expect(updates > 15_000 && verbatim > 10)
    }

    @Test func aMessageOfAnotherProductTravelsVerbatim() throws {
        let frame = Array(
            #"{"type":"l2update","product_id":"ETH-USD","changes":[["buy","1.50","2"]],"time":"t"}"#.utf8)
        #expect(try ParsedPayload.decode(encoded(frame, product: "BTC-USD"), product: "BTC-USD") == .verbatim(frame))
    }

    /// A valid payload of two updates, the second with no exchange time.
    func twoUpdates() throws -> [UInt8] {
        let frame = Array(
            #"{"channel":"l2_data","timestamp":"2023-01-01T00:00:00Z","sequence_num":1,"events":[{"type":"update","product_id":"BTC-USD","updates":[{"side":"bid","event_time":"x","price_level":"100.5","new_quantity":"0"},{"side":"offer","event_time":"x","price_level":"101","new_quantity":"0.25"}]},{"type":"update","product_id":"BTC-USD","updates":[{"side":"bid","event_time":"x","price_level":"99","new_quantity":"1"}]}]}"#
                .utf8)
        let payload = encoded(frame, product: "BTC-USD")
        guard case .updates(let messages) = try ParsedPayload.decode(payload, product: "BTC-USD") else {
            Issue.record("two updates travelled verbatim")
            return payload
        }
        #expect(messages.count == 2)
        return payload
    }

    @Test func aPayloadCutShortAnywhereIsRefusedNeverMisread() throws {
        let payload = try twoUpdates()
        for length in 0..<payload.count {
            #expect(throws: FeedParseError.self, "cut at \(length)") {
                _ = try ParsedPayload.decode(Array(payload.prefix(length)), product: "BTC-USD")
            }
        }
        #expect(throws: FeedParseError.self) { _ = try ParsedPayload.decode(payload + [0], product: "BTC-USD") }
    }

    @Test func fieldsNoIngestWritesAreRefusedWithWhatWasWrong() throws {
        let payload = try twoUpdates()
        // Offsets in the first update: form, count, time length (27: "2023-01-01T00:00:00Z" is
        // 20 bytes), the time, the change count, then the first change.
        let change = 3 + 20 + 4
        func refused(_ edit: (inout [UInt8]) -> Void) -> String? {
            var bytes = payload
            edit(&bytes)
            do {
                _ = try ParsedPayload.decode(bytes, product: "BTC-USD")
                return nil
            } catch {
                return "\(error)"
            }
        }
        #expect(refused { $0[0] = 7 }?.contains("form 7") == true)
        #expect(refused { $0[1] = 0 }?.contains("without updates") == true)
        #expect(refused { $0[change] = 2 }?.contains("side 2") == true)
        #expect(refused { $0[change + 9] = 19 }?.contains("price scale 19 above 18") == true)
        #expect(refused { $0[change + 8] = 0x80 }?.contains("negative price") == true)
        #expect(refused { $0[change + 17] = 0x80 }?.contains("negative size") == true)
        #expect(
            refused { $0.replaceSubrange((change + 1)..<(change + 9), with: [UInt8](repeating: 0, count: 8)) }?
                .contains("a price of zero") == true)
        #expect(
            refused { $0.replaceSubrange((change - 4)..<change, with: [0xFF, 0xFF, 0xFF, 0x7F]) }?
                .contains("changes announced") == true)
        #expect(throws: FeedParseError.badParsedPayload("an empty payload")) {
            _ = try ParsedPayload.decode([], product: "BTC-USD")
        }
    }
}
