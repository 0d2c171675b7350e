extension Duration {
    /// The duration in whole nanoseconds, for one that is not negative and fits in 64 bits
    /// (the cores count wall-clock nanoseconds).
    var nanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        return UInt64(seconds) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000)
    }
}
