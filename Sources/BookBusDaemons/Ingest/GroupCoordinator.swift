import BusProtocol
import CoinbaseFeed
import Logging

/// The ingest's coordinator of the elastic worker group: it tracks members by their heartbeats,
/// expires the silent ones, and assigns every product it publishes to exactly one live member.
struct GroupCoordinator {
    /// A member silent this long is expired and its products move to the others.
    let expiry: Duration
    let logger: Logger
    private var lastSeen: [String: ContinuousClock.Instant] = [:]
    private var products: Set<String> = []
    private var assignment: [String: [String]] = [:]
    /// Starts from the Unix time in milliseconds, so generations keep increasing across restarts
    /// of the ingest.
    private(set) var generation = WallClock.nanosecondsSinceEpoch() / 1_000_000

    init(expiry: Duration, logger: Logger) {
        self.expiry = expiry
        self.logger = logger
    }

    /// Notes a product the ingest publishes; a new one is assigned at once.
    mutating func noteProduct(_ product: String) {
        guard products.insert(product).inserted, !lastSeen.isEmpty else { return }
        reassign(reason: "new product \(product)")
    }

    /// A member's heartbeat; returns its current assignment.
    mutating func heartbeat(from member: String, now: ContinuousClock.Instant = .now) -> Assignment {
        let isNew = lastSeen.updateValue(now, forKey: member) == nil
        if isNew { reassign(reason: "\(member) joined") }
        return Assignment(generation: generation, members: lastSeen.count, products: assignment[member] ?? [])
    }

    /// Expires members whose heartbeats stopped.
    mutating func expire(now: ContinuousClock.Instant = .now) {
        let gone = lastSeen.filter { now - $0.value > expiry }.keys.sorted()
        guard !gone.isEmpty else { return }
        for member in gone { lastSeen.removeValue(forKey: member) }
        reassign(reason: "\(gone.joined(separator: ",")) expired")
    }

    private mutating func reassign(reason: String) {
        generation += 1
        assignment = GroupAssignment.assign(products: products.sorted(), members: lastSeen.keys.sorted())
        logger.info(
            "group reassigned",
            metadata: [
                "generation": "\(generation)", "reason": "\(reason)",
                "assignment":
                    "\(assignment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.count)" }.joined(separator: ","))",
            ])
    }
}
