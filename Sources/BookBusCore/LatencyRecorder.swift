/// Ingest-receive → sink-receive latencies, for `--latency-report`: every sample is kept (up to a
/// bound) and the percentiles are exact.
public struct LatencyRecorder: Sendable {
    /// At most this many samples are kept (8 bytes each); later ones are counted, not stored.
    public static let capacity = 10_000_000
    private var samples: [UInt64] = []
    public private(set) var overflow = 0

    public init() {}

    public mutating func record(nanoseconds: UInt64) {
        if samples.count < Self.capacity { samples.append(nanoseconds) } else { overflow += 1 }
    }

    /// The sample count and `p50 p90 p99 p99.9 max`, in nanoseconds.
    public var statistics: [Statistic] {
        var result = [Statistic("latency_samples", .gauge, samples.count, help: "Latency samples kept.")]
        guard !samples.isEmpty else { return result }
        let sorted = samples.sorted()
        func percentile(_ p: Double) -> Int {
            let index = min(sorted.count - 1, Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1)
            return Int(sorted[max(0, index)])
        }
        let help = "Ingest receive to sink receive, nanoseconds"
        result += [
            Statistic("latency_p50_ns", .gauge, percentile(50), help: "\(help), median."),
            Statistic("latency_p90_ns", .gauge, percentile(90), help: "\(help), 90th percentile."),
            Statistic("latency_p99_ns", .gauge, percentile(99), help: "\(help), 99th percentile."),
            Statistic("latency_p999_ns", .gauge, percentile(99.9), help: "\(help), 99.9th percentile."),
            Statistic("latency_max_ns", .gauge, Int(sorted.last!), help: "\(help), largest."),
        ]
        return result
    }
}
