public import BookBusCore
public import BusProtocol
public import OrderBook

/// Everything the sink needs.
public struct SinkConfiguration: Sendable {
    /// Where the events are published (connects by default).
    public var endpoints: [Endpoint]
    /// Which event families to receive.
    public var kinds: [EventFamily] = [.spread]
    /// Only these products (`nil`: all).
    public var products: [String]?
    public var format: SinkFormat = .text
    /// Append every line to this file as well.
    public var logPath: String?
    /// Do not print to standard output.
    public var quiet = false
    /// Keep only events whose spread is at least this many basis points of the mid.
    public var minSpreadBasisPoints: ExactDecimal?
    /// Measure ingest-receive → sink-receive latency and report percentiles when stopping.
    public var latencyReport = false
    /// Stop after this many publishers announced their end of stream (0: run until stopped).
    public var exitAfterEnds = 0
    public var sockets = SocketSettings()
    /// Touched while the sink's loop runs.
    public var health: HealthFile?
    /// Where `/metrics`, `/health` and `/ready` are served (off when `nil`).
    public var metrics: HostAndPort?
    /// Where the sink's statistics are written while it runs and when it stops.
    public var stats: StatsFile?

    public init(endpoints: [Endpoint]) {
        self.endpoints = endpoints
    }

    /// The topic prefixes to subscribe to.
    var subscriptions: [String] {
        kinds.flatMap { kind -> [String] in
            guard let products else { return [kind.prefix] }
            return products.map { kind.topic(product: $0).description }
        }
    }
}

extension SinkConfiguration {
    /// What the sink's core decides with: latency is measured for the report and for the metrics
    /// endpoint's histogram.
    var core: SinkCore.Configuration {
        SinkCore.Configuration(
            format: format, minSpreadBasisPoints: minSpreadBasisPoints, latencyReport: latencyReport || metrics != nil,
            exitAfterEnds: exitAfterEnds)
    }
}
