public import BusProtocol

/// Follows each topic's sequence numbers and the publishers' heartbeats, and finds every message
/// lost on the way: a sequence that skips, or a heartbeat naming a sequence never received.
public struct GapTracker: Sendable {
    /// Messages lost between two received ones, or at a topic's tail.
    public struct Gap: Sendable, Equatable {
        public var topic: Topic
        /// The first sequence missing, and the first one after the gap.
        public var expected: UInt64
        public var got: UInt64
        /// `sequence`, or `heartbeat of <publisher>`.
        public var seenBy: String

        public var missed: UInt64 { got - expected }
    }

    private var lastSequence: [Topic: (epoch: UInt64, sequence: UInt64)] = [:]
    /// Messages lost, over every gap found.
    public private(set) var missed: UInt64 = 0

    public init() {}

    /// Follows `message`; returns the gap it shows, if any.
    public mutating func track(_ message: BusMessage) -> [Gap] {
        if message.topic == .control {
            // A heartbeat lists the last sequence of every topic: anything beyond what arrived was lost.
            guard
                case .heartbeat(let publisher, let epoch, let sequences, _)? = try? ControlMessage(
                    json: message.payload)
            else { return [] }
            var gaps: [Gap] = []
            for (name, last) in sequences {
                guard let topic = Topic(bytes: Array(name.utf8)), let seen = lastSequence[topic], seen.epoch == epoch,
                    last > seen.sequence
                else { continue }
                gaps.append(
                    Gap(topic: topic, expected: seen.sequence + 1, got: last + 1, seenBy: "heartbeat of \(publisher)"))
                lastSequence[topic] = (epoch, last)
            }
            for gap in gaps { missed += gap.missed }
            return gaps
        }
        // One dictionary access: the entry is read and replaced in place. A batch's first payload
        // must follow what came before; the entry then holds its last.
        let first = message.header.sequence
        let last = (epoch: message.header.epoch, sequence: first + UInt64(message.payloadCount - 1))
        guard let expected = Self.advance(&lastSequence[message.topic], to: last), first > expected else { return [] }
        let gap = Gap(topic: message.topic, expected: expected, got: first, seenBy: "sequence")
        missed += gap.missed
        return [gap]
    }

    /// Stores `current` as the topic's last sequence; returns the sequence expected next from the
    /// previous one when both are of the same epoch.
    private static func advance(
        _ entry: inout (epoch: UInt64, sequence: UInt64)?, to current: (epoch: UInt64, sequence: UInt64)
    ) -> UInt64? {
        defer { entry = current }
        guard let last = entry, last.epoch == current.epoch else { return nil }
        return last.sequence + 1
    }
}
