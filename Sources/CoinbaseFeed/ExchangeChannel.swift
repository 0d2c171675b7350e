/// The Exchange feed's order-book channel.
public enum ExchangeChannel: String, Sendable, CaseIterable {
    /// Public; the same `l2update` messages as `level2`, batched every 50 ms.
    case level2Batch = "level2_batch"
    /// Every change as it happens; needs an API key (HMAC-signed subscribe) since 2023-08.
    case level2
}
