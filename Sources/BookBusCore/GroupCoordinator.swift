public import BusProtocol
import Logging

/// The ingest's coordinator of the elastic worker group: it tracks members by their heartbeats,
/// expires the silent ones, and assigns every product it publishes to exactly one live member.
///
/// When an assignment changes, every member whose share changed is told at once (``takeNotices()``),
/// not at its next heartbeat: a member that lost a product stops publishing it before the new owner
/// starts, so the two streams do not overlap.
public struct GroupCoordinator: Sendable {
    /// A member silent this long is expired and its products move to the others.
    public let expiry: Duration
    private var lastSeen: [String: ContinuousClock.Instant] = [:]
    private var products: Set<String> = []
    private var assignment: [String: [String]] = [:]
    /// Each member's ROUTER identity, to reach it between its heartbeats.
    private var identities: [String: [UInt8]] = [:]
    /// Members whose share changed and who have not been told.
    private var changed: Set<String> = []
    public private(set) var generation: UInt64
    /// Log records of the reassignments made, for the caller to write.
    public private(set) var logs: [LogRecord] = []

    /// - Parameter firstGeneration: the Unix time in milliseconds, so that generations keep
    ///   increasing across restarts of the ingest.
    public init(expiry: Duration, firstGeneration: UInt64) {
        self.expiry = expiry
        generation = firstGeneration
    }

    public mutating func clearLogs() {
        logs.removeAll()
    }

    /// Notes a product the ingest publishes; a new one is assigned at once.
    public mutating func noteProduct(_ product: String) {
        guard products.insert(product).inserted, !lastSeen.isEmpty else { return }
        reassign(reason: "new product \(product)")
    }

    /// A member's heartbeat, from ROUTER identity `identity`; returns its current assignment.
    public mutating func heartbeat(from member: String, identity: [UInt8], now: ContinuousClock.Instant)
        -> Assignment
    {
        identities[member] = identity
        let isNew = lastSeen.updateValue(now, forKey: member) == nil
        if isNew { reassign(reason: "\(member) joined") }
        changed.remove(member)
        return assignment(of: member)
    }

    /// The assignments to send now, with the identity to send each to: the members whose share
    /// changed since they were last told.
    public mutating func takeNotices() -> [(identity: [UInt8], assignment: Assignment)] {
        defer { changed.removeAll() }
        return changed.sorted().compactMap { member in
            identities[member].map { ($0, assignment(of: member)) }
        }
    }

    private func assignment(of member: String) -> Assignment {
        Assignment(generation: generation, members: lastSeen.count, products: assignment[member] ?? [])
    }

    /// Expires members whose heartbeats stopped.
    public mutating func expire(now: ContinuousClock.Instant) {
        let gone = lastSeen.filter { now - $0.value > expiry }.keys.sorted()
        guard !gone.isEmpty else { return }
        for member in gone {
            lastSeen.removeValue(forKey: member)
            identities.removeValue(forKey: member)
        }
        reassign(reason: "\(gone.joined(separator: ",")) expired")
    }

    private mutating func reassign(reason: String) {
        generation += 1
        let previous = assignment
        assignment = GroupAssignment.assign(products: products.sorted(), members: lastSeen.keys.sorted())
        for member in lastSeen.keys where previous[member] != assignment[member] { changed.insert(member) }
        logs.append(
            LogRecord(
                level: .info, message: "group reassigned",
                metadata: [
                    "generation": "\(generation)", "reason": "\(reason)",
                    "assignment":
                        "\(assignment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.count)" }.joined(separator: ","))",
                ]))
    }
}
