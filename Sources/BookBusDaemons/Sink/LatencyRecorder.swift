import Foundation

/// Ingest-receive → sink-receive latencies, for `--latency-report`: every sample is kept (up to a
/// bound) and the percentiles are exact.
struct LatencyRecorder {
    /// At most this many samples are kept (8 bytes each); later ones are counted, not stored.
    static let capacity = 10_000_000
    private var samples: [UInt64] = []
    private(set) var overflow = 0

    mutating func record(nanoseconds: UInt64) {
        if samples.count < Self.capacity { samples.append(nanoseconds) } else { overflow += 1 }
    }

    /// `p50 p90 p99 p99.9 max` in microseconds, as log metadata.
    func report() -> [String: String] {
        guard !samples.isEmpty else { return ["latency_samples": "0"] }
        let sorted = samples.sorted()
        func percentile(_ p: Double) -> String {
            let index = min(sorted.count - 1, Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1)
            return String(format: "%.1f", Double(sorted[max(0, index)]) / 1_000)
        }
        return [
            "latency_samples": "\(sorted.count)", "latency_p50_us": percentile(50), "latency_p90_us": percentile(90),
            "latency_p99_us": percentile(99), "latency_p999_us": percentile(99.9),
            "latency_max_us": String(format: "%.1f", Double(sorted.last!) / 1_000),
        ]
    }
}
