/// Why a worker stopped trusting a product's book (or never had one).
///
/// The description is the log text; ``label`` is the short, stable name statistics count by.
public enum ResyncReason: Sendable, Hashable, CustomStringConvertible {
    /// The worker started and knows the product up front.
    case workerStart
    /// The product's first message is a snapshot: the book is live at once, nothing is counted.
    case firstMessage
    /// The worker group assigned the product to this worker.
    case assigned(generation: UInt64)
    /// An update arrived before any snapshot.
    case updateBeforeSnapshot
    /// The ingest's heartbeat names a product this worker keeps but has never seen.
    case joinedLate
    /// The ingest restarted or renewed its upstream connection: sequences start over.
    case epochChanged
    /// A message's sequence did not follow the last one.
    case sequenceGap(expected: UInt64, got: UInt64)
    /// The ingest's heartbeat shows messages this worker never received.
    case heartbeatShowsLoss(first: UInt64, last: UInt64)
    /// The book crossed (best bid at or above best ask) and stayed so.
    case crossedBook

    /// True when the reason means messages of the product's topic were lost.
    public var losesMessages: Bool {
        switch self {
        case .epochChanged, .sequenceGap, .heartbeatShowsLoss: true
        case .workerStart, .firstMessage, .assigned, .updateBeforeSnapshot, .joinedLate, .crossedBook: false
        }
    }

    public var description: String {
        switch self {
        case .workerStart: "worker start"
        case .firstMessage: "first message seen"
        case .assigned(let generation): "assigned in generation \(generation)"
        case .updateBeforeSnapshot: "update before any snapshot"
        case .joinedLate: "joined late: no snapshot seen"
        case .epochChanged: "ingest epoch changed"
        case .sequenceGap(let expected, let got): "sequence gap: expected \(expected), got \(got)"
        case .heartbeatShowsLoss(let first, let last): "heartbeat shows messages \(first)...\(last) lost"
        case .crossedBook: "crossed book"
        }
    }

    /// The reason's name without its numbers, for counting.
    public var label: String {
        switch self {
        case .workerStart: "worker_start"
        case .firstMessage: "first_message"
        case .assigned: "assigned"
        case .updateBeforeSnapshot: "update_before_snapshot"
        case .joinedLate: "joined_late"
        case .epochChanged: "epoch_changed"
        case .sequenceGap: "sequence_gap"
        case .heartbeatShowsLoss: "heartbeat_shows_loss"
        case .crossedBook: "crossed_book"
        }
    }

    /// Every label, in a stable order.
    public static let labels = [
        "worker_start", "first_message", "assigned", "update_before_snapshot", "joined_late", "epoch_changed",
        "sequence_gap",
        "heartbeat_shows_loss", "crossed_book",
    ]
}
