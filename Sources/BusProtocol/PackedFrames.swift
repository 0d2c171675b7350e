/// The payloads of one bus message packed end to end in one buffer, to be sent as consecutive
/// frames.
///
/// A batch of small payloads kept this way costs no allocation per payload and no reference
/// counting per frame when it is sent; ``removeAll()`` keeps the capacity for the next batch.
public struct PackedFrames: Sendable, Equatable {
    /// Every frame's bytes, one after the other.
    public private(set) var bytes: [UInt8] = []
    /// Where each frame ends in `bytes`.
    private var ends: [Int] = []

    public init() {}

    /// How many frames are packed.
    public var count: Int { ends.count }

    /// Whether no frame is packed.
    public var isEmpty: Bool { ends.isEmpty }

    /// Packs a copy of `frame` after the others.
    public mutating func append(_ frame: [UInt8]) {
        bytes.append(contentsOf: frame)
        ends.append(bytes.count)
    }

    /// Packs a frame that `write` appends to the buffer in place (an encoder writing straight in).
    public mutating func append(writing write: (inout [UInt8]) -> Void) {
        write(&bytes)
        ends.append(bytes.count)
    }

    /// Where each frame ends in ``bytes``.
    public var frameEnds: [Int] { ends }

    /// Empties the batch, keeping its storage.
    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
    }
}
