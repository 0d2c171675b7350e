/// Keeps, per product, only the events of the highest worker-group generation seen.
///
/// During a hand-over the old owner of a product may publish a little longer than the new one has
/// started to: both streams are true books, but interleaved they make the product's top of book
/// jump back and forth. Events carry the generation of the assignment they were published under,
/// and the higher one is the current owner. Outside a worker group every event has generation 0.
public struct GenerationFilter: Sendable {
    private var highest: [String: UInt64] = [:]
    /// No event so far had a generation above 0 (no worker group): every event is current, and the
    /// per-product lookup can be skipped.
    private var onlyGenerationZero = true
    /// Events dropped for an older generation.
    public private(set) var superseded = 0

    public init() {}

    /// Whether an event of `product` published under `generation` is current; remembers a newer one.
    public mutating func admits(product: String, generation: UInt64) -> Bool {
        if generation == 0 && onlyGenerationZero { return true }
        onlyGenerationZero = false
        let known = highest[product]
        if let known, generation < known {
            superseded += 1
            return false
        }
        if known != generation { highest[product] = generation }
        return true
    }
}
