/// Static sharding of products over `count` workers by rendezvous (highest-random-weight) hashing:
/// product `p` belongs to the worker `i` in `0..<count` with the highest
/// `splitmix64(fnv1a64(p) ^ splitmix64(i))` (the lowest `i` on a tie).
///
/// Every product is owned by exactly one worker for any `count` and any product list, a worker
/// needs no product list to decide (it can learn products from the stream), and going from `n` to
/// `n + 1` workers moves only the products the new worker wins.
public struct ShardAssignment: Sendable, Equatable, CustomStringConvertible {
    public let index: Int
    public let count: Int

    /// `index` in `0..<count`.
    public init(index: Int, count: Int) throws(ShardError) {
        guard count >= 1, (0..<count).contains(index) else { throw ShardError(index: index, count: count) }
        self.index = index
        self.count = count
    }

    /// Parses `i/n`, e.g. `0/2`.
    public init(parsing text: String) throws(ShardError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else {
            throw ShardError(index: -1, count: -1, text: text)
        }
        try self.init(index: index, count: count)
    }

    /// True when this shard owns `product`.
    public func owns(_ product: some StringProtocol) -> Bool {
        Self.owner(of: product, workers: count) == index
    }

    /// The index of the worker, among `workers`, that owns `product`.
    public static func owner(of product: some StringProtocol, workers: Int) -> Int {
        let productHash = fnv1a(product)
        var best = 0
        var bestWeight: UInt64 = 0
        for worker in 0..<workers {
            let weight = splitmix64(productHash ^ splitmix64(UInt64(worker)))
            if worker == 0 || weight > bestWeight {
                best = worker
                bestWeight = weight
            }
        }
        return best
    }

    /// The splitmix64 finaliser: a fast, well-mixed 64-bit permutation.
    public static func splitmix64(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9e37_79b9_7f4a_7c15
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// The 64-bit FNV-1a hash of the product id's UTF-8 bytes.
    public static func fnv1a(_ product: some StringProtocol) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in product.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash
    }

    public var description: String { "\(index)/\(count)" }
}

/// A shard that is not `i/n` with `0 <= i < n`.
public struct ShardError: Error, CustomStringConvertible {
    var index: Int
    var count: Int
    var text: String?

    public var description: String {
        if let text { return "shard \"\(text)\" is not of the form i/n (e.g. 0/2)" }
        return "shard \(index)/\(count) is out of range: use i/n with n >= 1 and 0 <= i < n"
    }
}
