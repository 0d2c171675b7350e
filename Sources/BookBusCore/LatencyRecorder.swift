import Histogram

/// Latencies in nanoseconds (ingest receive → sink receive, or → publish), kept as an HdrHistogram:
/// constant memory however many samples, percentiles to three significant digits (within 0.1%).
///
/// A latency above an hour, or a negative one (the two hosts' clocks disagree), is counted as out
/// of range rather than recorded.
public struct LatencyRecorder: Sendable {
    /// The largest latency recorded: an hour.
    public static let highest: UInt64 = 3_600_000_000_000
    private var histogram = Histogram<UInt64>(
        lowestDiscernibleValue: 1, highestTrackableValue: Self.highest, numberOfSignificantValueDigits: .three)
    /// Samples per Prometheus bucket (not cumulative) and the samples' exact sum, kept as they are
    /// recorded: reading them back from the HdrHistogram walked its every value, which took a
    /// sink's loop ~5 ms each second (its stats file) and delayed what arrived meanwhile.
    private var bucketCounts = [Int](repeating: 0, count: Self.bucketLimits.count)
    private var sumNanoseconds: Double = 0
    public private(set) var outOfRange = 0

    /// The name the statistics and the histogram start with, e.g. `latency` or `publish_latency`.
    public let name: String
    /// What is measured, e.g. "Ingest receive to sink receive".
    public let meaning: String

    public init(name: String = "latency", meaning: String = "Ingest receive to sink receive") {
        self.name = name
        self.meaning = meaning
    }

    /// Records the latency from `startNanos` to `endNanos` (wall clock, nanoseconds since the
    /// epoch), `count` times (the events of one bus message share it).
    public mutating func record(from startNanos: UInt64, to endNanos: UInt64, count: Int = 1) {
        guard endNanos >= startNanos, endNanos - startNanos <= Self.highest else {
            outOfRange += count
            return
        }
        let latency = endNanos - startNanos
        _ = histogram.record(latency, count: UInt64(count))
        sumNanoseconds += Double(latency) * Double(count)
        if let bucket = Self.bucketLimits.firstIndex(where: { latency <= $0 }) { bucketCounts[bucket] += count }
    }

    /// Records a duration measured on one clock.
    public mutating func record(_ duration: Duration) {
        guard duration >= .zero, duration.components.seconds <= Int64(Self.highest / 1_000_000_000) else {
            outOfRange += 1
            return
        }
        record(from: 0, to: duration.nanoseconds)
    }

    public var count: Int { Int(histogram.totalCount) }

    /// The latency at `percentile` (0–100), in nanoseconds; 0 without samples.
    public func nanoseconds(atPercentile percentile: Double) -> UInt64 {
        count == 0 ? 0 : histogram.valueAtPercentile(percentile)
    }

    /// The sample count and `p50 p90 p99 p99.9 max`, in nanoseconds.
    public var statistics: [Statistic] {
        var result = [
            Statistic("\(name)_samples", .counter, count, help: "\(meaning) latency samples recorded."),
            Statistic(
                "\(name)_out_of_range", .counter, outOfRange,
                help: "\(meaning) latencies not recorded: negative (clocks apart) or above an hour."),
        ]
        guard count > 0 else { return result }
        let help = "\(meaning), nanoseconds"
        // For the stats file and the closing line; Prometheus has the histogram.
        func percentile(_ suffix: String, _ value: UInt64, _ which: String) -> Statistic {
            Statistic("\(name)_\(suffix)_ns", .gauge, Int(value), help: "\(help), \(which).", isMetric: false)
        }
        result += [
            percentile("p50", nanoseconds(atPercentile: 50), "median"),
            percentile("p90", nanoseconds(atPercentile: 90), "90th percentile"),
            percentile("p99", nanoseconds(atPercentile: 99), "99th percentile"),
            percentile("p999", nanoseconds(atPercentile: 99.9), "99.9th percentile"),
            percentile("max", histogram.max, "largest"),
        ]
        return result
    }

    /// Upper bounds of the Prometheus buckets, in seconds: 50 µs to 10 s.
    public static let bucketBounds: [Double] = [
        0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
    ]

    /// The samples as a Prometheus histogram in seconds.
    public var histogramSnapshot: LatencyHistogram {
        var cumulative = 0
        let buckets = zip(Self.bucketBounds, bucketCounts).map { bound, inBucket -> (upperBound: Double, count: Int) in
            cumulative += inBucket
            return (bound, cumulative)
        }
        return LatencyHistogram(
            name: "\(name)_seconds", help: "\(meaning) latency, in seconds.", buckets: buckets, count: count,
            sum: sumNanoseconds / 1e9)
    }

    /// ``bucketBounds`` in nanoseconds.
    private static let bucketLimits = bucketBounds.map { UInt64($0 * 1e9) }
}

/// A latency histogram as Prometheus shows one: cumulative counts per upper bound (seconds), the
/// count, and the exact sum in seconds.
public struct LatencyHistogram: Sendable, Equatable {
    public var name: String
    public var help: String
    public var buckets: [(upperBound: Double, count: Int)]
    public var count: Int
    public var sum: Double

    public init(name: String, help: String, buckets: [(upperBound: Double, count: Int)], count: Int, sum: Double) {
        self.name = name
        self.help = help
        self.buckets = buckets
        self.count = count
        self.sum = sum
    }

    public static func == (lhs: LatencyHistogram, rhs: LatencyHistogram) -> Bool {
        lhs.name == rhs.name && lhs.help == rhs.help && lhs.count == rhs.count && lhs.sum == rhs.sum
            && lhs.buckets.map(\.upperBound) == rhs.buckets.map(\.upperBound)
            && lhs.buckets.map(\.count) == rhs.buckets.map(\.count)
    }
}
