import Foundation

/// The worker group (elastic sharding), spoken on the ingest's service endpoint next to
/// ``SnapshotProtocol``.
///
/// - A worker in the group sends, from its DEALER, every 500 ms: two frames, `GROUP` and its member
///   id (unique per process, e.g. `worker-<host>-<pid>`).
/// - The ingest answers each with two frames: `ASSIGN` and
///   `{"generation":7,"members":3,"products":["BTC-USD",..]}`: the assignment's generation and the
///   products this member owns in it.
///
/// Members that stop sending are expired; the products are assigned by rendezvous hashing over the
/// live members (``GroupAssignment``), so a join or a leave moves only the products it must. Each
/// change of members or products makes a new generation; events carry the generation they were
/// published under.
public enum GroupProtocol {
    public static let joinCommand = Array("GROUP".utf8)
    public static let assignCommand = Array("ASSIGN".utf8)

    /// The heartbeat/join request of `member`.
    public static func join(member: String) -> [[UInt8]] {
        [joinCommand, Array(member.utf8)]
    }
}

/// One member's share of the products in one generation.
public struct Assignment: Sendable, Equatable, Codable {
    public var generation: UInt64
    public var members: Int
    public var products: [String]

    public init(generation: UInt64, members: Int, products: [String]) {
        self.generation = generation
        self.members = members
        self.products = products
    }

    /// The reply frames.
    public var frames: [[UInt8]] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return [GroupProtocol.assignCommand, [UInt8]((try? encoder.encode(self)) ?? Data())]
    }

    /// Decodes reply frames; `nil` when they are not an assignment.
    public init?(frames: [[UInt8]]) {
        guard frames.count == 2, frames[0] == GroupProtocol.assignCommand,
            let decoded = try? JSONDecoder().decode(Assignment.self, from: Data(frames[1]))
        else { return nil }
        self = decoded
    }
}

/// Rendezvous (highest-random-weight) assignment of products to named members: product `p` goes
/// to the member `m` with the highest `splitmix64(fnv1a64(p) ^ fnv1a64(m))`.
public enum GroupAssignment {
    /// Each member's products.
    public static func assign(products: some Sequence<String>, members: [String]) -> [String: [String]] {
        var result = Dictionary(uniqueKeysWithValues: members.map { ($0, [String]()) })
        let memberHashes = members.map { ($0, ShardAssignment.fnv1a($0)) }
        for product in products {
            let productHash = ShardAssignment.fnv1a(product)
            var best: (member: String, weight: UInt64)?
            for (member, memberHash) in memberHashes {
                let weight = ShardAssignment.splitmix64(productHash ^ memberHash)
                if best.map({ weight > $0.weight || (weight == $0.weight && member < $0.member) }) ?? true {
                    best = (member, weight)
                }
            }
            if let best { result[best.member, default: []].append(product) }
        }
        return result
    }
}
