import BookBusCore
import Testing

/// The HdrHistogram-backed latency recorder: percentiles to three significant digits in constant
/// memory, the Prometheus buckets and exact sum kept beside it, and latencies it cannot record
/// counted apart.
@Suite struct LatencyRecorderTests {
    @Test func percentilesAreWithinATenthOfAPercent() {
        var recorder = LatencyRecorder()
        // 1 µs … 1 ms in 1 µs steps: the p-th percentile is p × 10 µs.
        for microseconds in 1...1_000 { recorder.record(from: 1_000, to: 1_000 + UInt64(microseconds) * 1_000) }
        #expect(recorder.count == 1_000)
        for (percentile, exact) in [(50.0, 500_000.0), (90, 900_000), (99, 990_000), (99.9, 999_000)] {
            let measured = Double(recorder.nanoseconds(atPercentile: percentile))
            #expect(abs(measured - exact) / exact <= 0.001, "p\(percentile): \(measured)")
        }
        let statistics = Dictionary(uniqueKeysWithValues: recorder.statistics.map { ($0.name, $0.value) })
        #expect(statistics["latency_samples"] == 1_000)
        #expect(statistics["latency_out_of_range"] == 0)
        #expect(abs(Double(statistics["latency_max_ns"]!) - 1e6) <= 1e3)
    }

    @Test func negativeAndHugeLatenciesAreCountedNotRecorded() {
        var recorder = LatencyRecorder()
        recorder.record(from: 2_000, to: 1_000)
        recorder.record(from: 0, to: LatencyRecorder.highest + 1)
        recorder.record(from: 0, to: 5)
        recorder.record(.milliseconds(-1))
        recorder.record(.seconds(7_200))
        recorder.record(.microseconds(250))
        recorder.record(from: 10, to: 5, count: 3)
        recorder.record(from: 0, to: 1_000, count: 4)  // a bus message of four events
        #expect(recorder.count == 6)
        #expect(recorder.outOfRange == 7)
        #expect(recorder.nanoseconds(atPercentile: 100) >= 249_000)
    }

    @Test func theHistogramIsCumulativeInSeconds() {
        var recorder = LatencyRecorder(name: "publish_latency", meaning: "Ingest receive to worker publish")
        for nanoseconds: UInt64 in [30_000, 70_000, 300_000, 2_000_000, 20_000_000_000] {
            recorder.record(from: 0, to: nanoseconds)
        }
        let histogram = recorder.histogramSnapshot
        #expect(histogram.name == "publish_latency_seconds")
        #expect(histogram.count == 5)
        let counts = Dictionary(uniqueKeysWithValues: histogram.buckets.map { ($0.upperBound, $0.count) })
        #expect(counts[0.000_05] == 1)
        #expect(counts[0.000_1] == 2)
        #expect(counts[0.000_5] == 3)
        #expect(counts[0.002_5] == 4)
        #expect(counts[10] == 4)  // 20 s is beyond the last bound: only +Inf (the count) holds it
        #expect(abs(histogram.sum - 20.002_4) < 1e-9)
    }

    @Test func eachBucketCountsASampleAtItsBoundAndEveryEventOfAMessage() {
        var recorder = LatencyRecorder()
        recorder.record(from: 0, to: 500_000)  // exactly 500 µs: in the 500 µs bucket
        recorder.record(from: 0, to: 500_001)
        recorder.record(from: 1_000, to: 101_000, count: 3)  // a bus message of three events, 100 µs
        recorder.record(from: 5, to: 1)  // out of range: in no bucket
        let histogram = recorder.histogramSnapshot
        let counts = Dictionary(uniqueKeysWithValues: histogram.buckets.map { ($0.upperBound, $0.count) })
        #expect(counts[0.000_05] == 0)
        #expect(counts[0.000_1] == 3)
        #expect(counts[0.000_25] == 3)
        #expect(counts[0.000_5] == 4)
        #expect(counts[0.001] == 5)
        #expect(histogram.count == 5)
        #expect(abs(histogram.sum - 0.001_300_001) < 1e-12)
    }
}
