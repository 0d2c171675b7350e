public import OrderBook

/// A Coinbase message as the ingest parsed it: the payload of a `parsed/<PRODUCT>/` topic.
///
/// The ingest parses every message anyway (to route it and for its own books), so it publishes the
/// book updates it read in a compact binary form beside the raw JSON, and workers apply them without
/// reading the JSON a second time. A message that is not a set of updates of the topic's product
/// (a snapshot, trades, anything the ingest could not parse) is carried verbatim, and the reader
/// parses it as Coinbase sent it.
///
/// Layout, little-endian:
///
/// | bytes | field |
/// |---|---|
/// | 1 | form: 0 verbatim (the Coinbase message follows, as received), 1 updates |
/// | 1 | updates: how many book messages follow (1 ... 255) |
///
/// then for each book message:
///
/// | bytes | field |
/// |---|---|
/// | 1 | length T of the exchange's timestamp (0: none) |
/// | T | the timestamp, as sent |
/// | 4 | number N of changes |
/// | N × 19 | per change: side (0 bid, 1 ask), price mantissa (8), price scale (1), size mantissa (8), size scale (1) |
///
/// A decimal keeps its mantissa and scale, so it prints back exactly as Coinbase wrote it.
public enum ParsedPayload {
    /// What a payload holds.
    public enum Content: Equatable, Sendable {
        /// The Coinbase message as received: parse it.
        case verbatim([UInt8])
        /// Book updates of the topic's product, in order.
        case updates([BookMessage])
    }

    static let verbatimForm: UInt8 = 0
    static let updatesForm: UInt8 = 1
    static let changeByteCount = 19

    /// Appends the payload for `frame`, a Coinbase message whose book messages the ingest parsed as
    /// `messages` (empty when it has none or did not parse), published on `product`'s topic.
    public static func encode(frame: [UInt8], messages: [BookMessage], product: String, into bytes: inout [UInt8]) {
        guard !messages.isEmpty, messages.count <= Int(UInt8.max),
            messages.allSatisfy({ message in
                guard message.product == product, (message.exchangeTime?.utf8.count ?? 0) <= Int(UInt8.max),
                    case .update(let changes) = message.content
                else { return false }
                return changes.count <= Int(UInt32.max)
            })
        else {
            bytes.append(verbatimForm)
            bytes.append(contentsOf: frame)
            return
        }
        bytes.append(updatesForm)
        bytes.append(UInt8(messages.count))
        for message in messages {
            guard case .update(let changes) = message.content else { continue }
            bytes.append(UInt8(message.exchangeTime?.utf8.count ?? 0))
            if let time = message.exchangeTime { bytes.append(contentsOf: time.utf8) }
            appendChanges(changes, to: &bytes)
        }
    }

    /// The change count and the changes, written in one buffer and appended in one copy.
    private static func appendChanges(_ changes: [LevelChange], to bytes: inout [UInt8]) {
        withUnsafeTemporaryAllocation(byteCount: 4 + changes.count * changeByteCount, alignment: 1) { buffer in
            buffer.storeBytes(of: UInt32(changes.count).littleEndian, as: UInt32.self)
            var offset = 4
            for change in changes {
                buffer.storeBytes(of: change.side == .bid ? 0 : 1, toByteOffset: offset, as: UInt8.self)
                buffer.storeBytes(of: change.price.mantissa.littleEndian, toByteOffset: offset + 1, as: Int64.self)
                buffer.storeBytes(of: change.price.scale, toByteOffset: offset + 9, as: UInt8.self)
                buffer.storeBytes(of: change.size.mantissa.littleEndian, toByteOffset: offset + 10, as: Int64.self)
                buffer.storeBytes(of: change.size.scale, toByteOffset: offset + 18, as: UInt8.self)
                offset += changeByteCount
            }
            bytes.append(contentsOf: UnsafeRawBufferPointer(buffer))
        }
    }

    /// Reads a payload of `product`'s topic. Anything but what ``encode(frame:messages:product:into:)``
    /// writes is refused: a wrong form, a count that runs past the end or leaves bytes over, a side
    /// other than 0 or 1, a scale above ``ExactDecimal/maxScale``, a negative number, a price of zero.
    public static func decode(_ payload: [UInt8], product: String) throws(FeedParseError) -> Content {
        guard let form = payload.first else { throw .badParsedPayload("an empty payload") }
        switch form {
        case verbatimForm: return .verbatim(Array(payload[1...]))
        case updatesForm: break
        default: throw .badParsedPayload("form \(form); expected 0 (verbatim) or 1 (updates)")
        }
        var reader = Reader(bytes: payload, index: 1)
        let count = try reader.byte()
        guard count > 0 else { throw .badParsedPayload("an updates payload without updates") }
        var messages: [BookMessage] = []
        messages.reserveCapacity(Int(count))
        for _ in 0..<count {
            let timeLength = Int(try reader.byte())
            let time = timeLength == 0 ? nil : String(decoding: try reader.bytes(timeLength), as: UTF8.self)
            let changeCount = Int(try reader.word32())
            let changes = try reader.changes(changeCount)
            messages.append(BookMessage(product: product, content: .update(changes), exchangeTime: time))
        }
        guard reader.remaining == 0 else { throw .badParsedPayload("\(reader.remaining) bytes after the last update") }
        return .updates(messages)
    }

    /// Reads a payload front to back, every read checked against its end.
    private struct Reader {
        let bytes: [UInt8]
        var index: Int

        var remaining: Int { bytes.count - index }

        mutating func byte() throws(FeedParseError) -> UInt8 {
            guard index < bytes.count else { throw .badParsedPayload("cut short at byte \(index)") }
            defer { index += 1 }
            return bytes[index]
        }

        mutating func bytes(_ count: Int) throws(FeedParseError) -> ArraySlice<UInt8> {
            guard count <= remaining else { throw .badParsedPayload("cut short at byte \(index)") }
            defer { index += count }
            return bytes[index..<(index + count)]
        }

        mutating func word32() throws(FeedParseError) -> UInt32 {
            UInt32(littleEndian: try load(UInt32.self))
        }

        /// `count` changes of ``ParsedPayload/changeByteCount`` bytes each: their room checked once,
        /// then read straight from the bytes, each field checked.
        mutating func changes(_ count: Int) throws(FeedParseError) -> [LevelChange] {
            let room = remaining / ParsedPayload.changeByteCount
            guard count <= room else { throw .badParsedPayload("\(count) changes announced, room for \(room)") }
            var changes: [LevelChange] = []
            changes.reserveCapacity(count)
            var failure: FeedParseError?
            bytes.withUnsafeBytes { raw in
                var offset = index
                for _ in 0..<count {
                    let side = raw[offset]
                    guard side <= 1 else {
                        failure = .badParsedPayload("side \(side); expected 0 (bid) or 1 (ask)")
                        return
                    }
                    guard let price = Self.decimal(raw, at: offset + 1, field: "price", failure: &failure),
                        let size = Self.decimal(raw, at: offset + 10, field: "size", failure: &failure)
                    else { return }
                    guard !price.isZero else {
                        failure = .badParsedPayload("a price of zero")
                        return
                    }
                    changes.append(LevelChange(side: side == 0 ? .bid : .ask, price: price, size: size))
                    offset += ParsedPayload.changeByteCount
                }
            }
            if let failure { throw failure }
            index += count * ParsedPayload.changeByteCount
            return changes
        }

        /// The decimal of the mantissa (8 bytes) and scale (1) at `offset`: at most
        /// ``ExactDecimal/maxScale`` digits, not negative; otherwise `nil`, and `failure` says why.
        private static func decimal(
            _ raw: UnsafeRawBufferPointer, at offset: Int, field: String, failure: inout FeedParseError?
        ) -> ExactDecimal? {
            let mantissa = Int64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: Int64.self))
            let scale = raw[offset + 8]
            guard let value = ExactDecimal(mantissa: mantissa, scale: scale) else {
                failure = .badParsedPayload("\(field) scale \(scale) above \(ExactDecimal.maxScale)")
                return nil
            }
            guard !value.isNegative else {
                failure = .badParsedPayload("negative \(field) \(value)")
                return nil
            }
            return value
        }

        private mutating func load<Word: FixedWidthInteger>(_: Word.Type) throws(FeedParseError) -> Word {
            let size = MemoryLayout<Word>.size
            guard size <= remaining else { throw .badParsedPayload("cut short at byte \(index)") }
            defer { index += size }
            return bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: index, as: Word.self) }
        }
    }
}
