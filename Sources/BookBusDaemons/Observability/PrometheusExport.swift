import BookBusCore
import Prometheus

/// Carries a role's ``StatsReport`` into a Prometheus registry: each ``Statistic`` becomes a
/// `bookbus_`-prefixed series labelled with the role (a counter gains `_total`), a labelled family
/// keeps its label, and each product's book state becomes `bookbus_book_state{product,state}`, 1
/// for the state it is in and 0 for the others.
///
/// The role's counters only grow, so each update adds what grew since the last one: the registry's
/// counters are never set backwards, and a scrape between two updates sees the earlier values.
struct PrometheusExport {
    let registry: PrometheusCollectorRegistry
    let role: String
    private var counters: [SeriesKey: (counter: Counter, value: Int)] = [:]
    private var gauges: [SeriesKey: Gauge] = [:]
    private var productStates: [String: String] = [:]
    /// The report's latency histograms, rendered at each scrape (the registry has no histogram
    /// whose buckets can be set from counts kept elsewhere).
    private(set) var histograms: [LatencyHistogram] = []

    /// A series: its metric name and its labels besides `role`.
    private struct SeriesKey: Hashable {
        var name: String
        var labels: [String]
    }

    init(registry: PrometheusCollectorRegistry, role: String) {
        self.registry = registry
        self.role = role
    }

    mutating func update(with report: StatsReport) {
        histograms = report.histograms
        for statistic in report.statistics where statistic.isMetric {
            var labels = [("role", role)]
            if let label = statistic.label { labels.append((label.name, label.value)) }
            switch statistic.kind {
            case .counter:
                add(
                    MetricNameDescriptor(
                        namespace: "bookbus", metricName: statistic.name, unitName: "total", helpText: statistic.help),
                    labels: labels, value: statistic.value)
            case .gauge:
                gauge(
                    MetricNameDescriptor(
                        namespace: "bookbus", metricName: statistic.name, unitName: "", helpText: statistic.help),
                    labels: labels
                )
                .set(statistic.exact.flatMap { Double($0.description) } ?? Double(statistic.value))
            }
        }
        for (product, state) in report.products where productStates[product] != state {
            productStates[product] = state
            show(product, in: state)
        }
        // A product no longer kept (a worker group moved it) is in none of the states here.
        for product in productStates.keys where report.products[product] == nil {
            productStates[product] = nil
            show(product, in: nil)
        }
    }

    /// Sets the product's state series: 1 for `state`, 0 for every other.
    private mutating func show(_ product: String, in state: String?) {
        let states = StatsReport.productStates
        for candidate in states + (state.map { states.contains($0) ? [] : [$0] } ?? []) {
            gauge(Self.bookState, labels: [("role", role), ("product", product), ("state", candidate)])
                .set(Int64(candidate == state ? 1 : 0))
        }
    }

    static var bookState: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "bookbus", metricName: "book_state", unitName: "",
            helpText:
                "1 for the state each product's book is in (live, awaiting_snapshot, resynchronising), 0 for the others."
        )
    }

    private mutating func add(_ descriptor: MetricNameDescriptor, labels: [(String, String)], value: Int) {
        let key = SeriesKey(name: descriptor.name, labels: labels.flatMap { [$0.0, $0.1] })
        let entry = counters[key] ?? (registry.makeCounter(descriptor: descriptor, labels: labels), 0)
        if value > entry.value { entry.counter.increment(by: Int64(value - entry.value)) }
        counters[key] = (entry.counter, max(value, entry.value))
    }

    private mutating func gauge(_ descriptor: MetricNameDescriptor, labels: [(String, String)]) -> Gauge {
        let key = SeriesKey(name: descriptor.name, labels: labels.flatMap { [$0.0, $0.1] })
        if let gauge = gauges[key] { return gauge }
        let gauge = registry.makeGauge(descriptor: descriptor, labels: labels)
        gauges[key] = gauge
        return gauge
    }
}

extension LatencyHistogram {
    /// The histogram in Prometheus text format, as `bookbus_<name>` with the role's label.
    func prometheusText(role: String) -> String {
        let family = "bookbus_\(name)"
        var text = "# HELP \(family) \(help)\n# TYPE \(family) histogram\n"
        for bucket in buckets {
            text += "\(family)_bucket{role=\"\(role)\",le=\"\(bucket.upperBound)\"} \(bucket.count)\n"
        }
        text += "\(family)_bucket{role=\"\(role)\",le=\"+Inf\"} \(count)\n"
        text += "\(family)_sum{role=\"\(role)\"} \(sum)\n\(family)_count{role=\"\(role)\"} \(count)\n"
        return text
    }
}
