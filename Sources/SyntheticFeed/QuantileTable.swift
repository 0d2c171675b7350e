import Foundation

/// A distribution given by some of its quantiles, sampled by inverse transform: a uniform draw is
/// mapped through the quantile function, interpolated between the given points on a log(1 + x)
/// scale (the right scale for counts and depths that span orders of magnitude).
struct QuantileTable: Sendable {
    /// (cumulative probability, value) pairs, probabilities rising from 0 to 1.
    let points: [(probability: Double, value: Double)]

    init(_ points: [(probability: Double, value: Double)]) {
        precondition(points.first?.probability == 0 && points.last?.probability == 1, "quantiles must span 0…1")
        self.points = points
    }

    /// The value at cumulative probability `probability` (0 ≤ probability < 1).
    func value(at probability: Double) -> Double {
        var upper = 1
        while upper < points.count - 1 && points[upper].probability <= probability { upper += 1 }
        let low = points[upper - 1]
        let high = points[upper]
        let fraction = (probability - low.probability) / (high.probability - low.probability)
        let logValue = log1p(low.value) + fraction * (log1p(high.value) - log1p(low.value))
        return expm1(logValue)
    }

    /// A draw, rounded down to a whole number.
    func sample(using random: inout SplitMix64) -> Int {
        Int(value(at: random.unit()))
    }
}
