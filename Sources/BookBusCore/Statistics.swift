import Foundation
public import Logging
public import OrderBook

/// One named number a role keeps: a counter (only grows) or a gauge, with the help text that the
/// closing log line, the stats file and the metrics endpoint share.
public struct Statistic: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case counter
        case gauge
    }

    /// Lower-case with underscores, e.g. `snapshots_applied`.
    public var name: String
    public var help: String
    public var kind: Kind
    /// The number; for an ``exact`` gauge, it rounded to an integer.
    public var value: Int
    /// A gauge that is an exact decimal (a spread): the number itself, written as its digits in the
    /// stats file and as a float on the metrics endpoint.
    public var exact: ExactDecimal?
    /// For one series of a labelled family (e.g. resyncs by reason): the label's name and value.
    public var label: Label?
    /// Whether the metrics endpoint serves it: not for what Prometheus derives itself (the
    /// percentiles of a latency it also gets as a histogram).
    public var isMetric: Bool

    /// One label of a series, e.g. `reason` = `sequence_gap`.
    public struct Label: Sendable, Equatable {
        public var name: String
        public var value: String

        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    public init(_ name: String, _ kind: Kind, _ value: Int, help: String, label: Label? = nil, isMetric: Bool = true) {
        self.name = name
        self.help = help
        self.kind = kind
        self.value = value
        self.label = label
        self.isMetric = isMetric
    }

    /// A gauge holding an exact decimal.
    public init(_ name: String, exact: ExactDecimal, help: String, label: Label? = nil) {
        let rounded = exact.divided(by: ExactDecimal(integer: 1), fractionDigits: 0)?.mantissa ?? 0
        self.init(name, .gauge, Int(rounded), help: help, label: label)
        self.exact = exact
    }
}

/// What a role reports about itself: its statistics and the state of each product it keeps.
///
/// Rendered once for the closing log line and as JSON for the stats file
/// (`{"role":"worker","name":"worker-0","statistics":{"resyncs":3,"resyncs_by_reason":{"joined_late":3},…},"products":{"BTC-USD":"live"}}`),
/// which the benchmark and the integration tests read instead of log text.
public struct StatsReport: Sendable {
    public var role: String
    public var name: String
    public var statistics: [Statistic]
    /// Product → its state (one of ``productStates``), for roles that keep books.
    public var products: [String: String]

    /// The states a product's book is reported in: live (trusted, making events), awaiting its
    /// first snapshot, resynchronising (it stopped being trusted and waits for a fresh one), or
    /// stale (quiet while its connection delivers other products; its subscription is renewed).
    public static let productStates = ["live", "awaiting_snapshot", "resynchronising", "stale"]

    /// Latency histograms, for the metrics endpoint (the stats file and the log line carry their
    /// percentiles among the statistics).
    public var histograms: [LatencyHistogram]

    public init(
        role: String, name: String, statistics: [Statistic], products: [String: String] = [:],
        histograms: [LatencyHistogram] = []
    ) {
        self.role = role
        self.name = name
        self.statistics = statistics
        self.products = products
        self.histograms = histograms
    }

    /// The unlabelled statistics as log metadata, `name=value`.
    public var logMetadata: Logger.Metadata {
        var metadata: Logger.Metadata = [:]
        for statistic in statistics where statistic.label == nil {
            metadata[statistic.name] = "\(statistic.exact?.description ?? "\(statistic.value)")"
        }
        return metadata
    }

    /// The report as one JSON object: a labelled family is an object from label value to value.
    public var json: [UInt8] {
        var values: [String: Any] = [:]
        for statistic in statistics {
            let value: Any = statistic.exact?.description ?? statistic.value
            if let label = statistic.label {
                var family = values[statistic.name] as? [String: Any] ?? [:]
                family[label.value] = value
                values[statistic.name] = family
            } else {
                values[statistic.name] = value
            }
        }
        let object: [String: Any] = ["role": role, "name": name, "statistics": values, "products": products]
        // Strings, integers and objects of them always serialise (exact decimals go as strings).
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return [UInt8](data)
    }
}
