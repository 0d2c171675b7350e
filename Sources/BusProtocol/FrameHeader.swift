/// The second frame of every bus message: 32 bytes, big-endian.
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 1 | version, 4 |
/// | 1 | 7 | reserved, zero |
/// | 8 | 8 | epoch: random, new each time the publisher starts |
/// | 16 | 8 | sequence: 1, 2, 3, … per topic within an epoch |
/// | 24 | 8 | ingest receive time, nanoseconds since the Unix epoch |
///
/// A subscriber that sees a sequence number skip within one epoch has lost messages on that topic.
///
/// A message on a data topic (`raw/`, `parsed/`, `tob/`, `spread/`, …) may carry several payloads
/// (frames 3, 4, …), consecutive messages of its topic; the header gives the first one's sequence
/// and receive time. Version 4 added the ingest's `parsed/` topics, which workers read instead of
/// `raw/`; version 3 batched events too, version 2 `raw/` topics only; version 1 had exactly one
/// payload.
public struct FrameHeader: Sendable, Equatable {
    public static let version: UInt8 = 4
    public static let byteCount = 32

    public var epoch: UInt64
    public var sequence: UInt64
    /// When the ingest received the Coinbase message this message stems from.
    public var receivedAtNanos: UInt64

    public init(epoch: UInt64, sequence: UInt64, receivedAtNanos: UInt64) {
        self.epoch = epoch
        self.sequence = sequence
        self.receivedAtNanos = receivedAtNanos
    }

    /// The 32 header bytes.
    public var bytes: [UInt8] {
        withBytes { Array($0) }
    }

    /// Calls `body` with the 32 header bytes, built on the stack (no allocation per message).
    public func withBytes<Result, Failure: Error>(
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        // Four big-endian words: version and reserved bytes, epoch, sequence, receive time.
        var words = (
            (UInt64(Self.version) << 56).bigEndian, epoch.bigEndian, sequence.bigEndian, receivedAtNanos.bigEndian
        )
        return try withUnsafeBytes(of: &words) { (buffer) throws(Failure) -> Result in try body(buffer) }
    }

    /// The header of the payload `offset` places after this one in the same message.
    public func advanced(by offset: Int) -> FrameHeader {
        FrameHeader(epoch: epoch, sequence: sequence + UInt64(offset), receivedAtNanos: receivedAtNanos)
    }

    /// Decodes a header frame.
    public init(bytes: [UInt8]) throws(BusProtocolError) {
        guard bytes.count == Self.byteCount else { throw .badHeaderLength(bytes.count) }
        guard bytes[0] == Self.version else { throw .unsupportedVersion(bytes[0]) }
        epoch = Self.load(bytes, at: 8)
        sequence = Self.load(bytes, at: 16)
        receivedAtNanos = Self.load(bytes, at: 24)
    }

    private static func load(_ bytes: [UInt8], at offset: Int) -> UInt64 {
        (0..<8).reduce(0) { value, index in value << 8 | UInt64(bytes[offset + index]) }
    }
}

/// Why a bus message was rejected.
public enum BusProtocolError: Error, Equatable, CustomStringConvertible {
    case wrongFrameCount(Int)
    case unknownTopic(String)
    case badHeaderLength(Int)
    case unsupportedVersion(UInt8)
    case badEvent(String)
    case badControl(String)

    public var description: String {
        switch self {
        case .wrongFrameCount(let count):
            "bus message has \(count) frames; expected 3 (topic, header, payload), or more on a data topic such as raw/, parsed/ or tob/ (a batch)"
        case .unknownTopic(let topic): "unknown topic \"\(topic.prefix(80))\""
        case .badHeaderLength(let count): "header frame of \(count) bytes; expected \(FrameHeader.byteCount)"
        case .unsupportedVersion(let version):
            "header version \(version) unsupported; this build speaks version \(FrameHeader.version)"
        case .badEvent(let detail): "undecodable event: \(detail)"
        case .badControl(let detail): "undecodable control message: \(detail)"
        }
    }
}
