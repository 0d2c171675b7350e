import BookBusCore
import Prometheus
import Synchronization

/// What a role shows its HTTP endpoint, written by the role's own thread and read by the
/// endpoint's: the Prometheus registry, whether it is ready and why not, and when its loop last
/// turned. The role posts here from its housekeeping timer, never per message.
final class StatusBoard: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let state: Mutex<State>
    private let process: ProcessMetrics

    private struct State {
        var export: PrometheusExport
        var readiness = Readiness.notReady("starting")
        var lastTurn: ContinuousClock.Instant = .now
    }

    init(role: String) {
        state = Mutex(State(export: PrometheusExport(registry: registry, role: role)))
        process = ProcessMetrics(registry: registry)
    }

    /// The role's latest report and readiness; its loop turned just now.
    func post(_ report: StatsReport, readiness: Readiness, now: ContinuousClock.Instant = .now) {
        state.withLock { state in
            state.export.update(with: report)
            state.readiness = readiness
            state.lastTurn = now
        }
    }

    /// The exposition text of every metric, the process's own read now.
    func metricsText() -> [UInt8] {
        process.refresh()
        var text = registry.emitToBuffer()
        let (role, histograms) = state.withLock { ($0.export.role, $0.export.histograms) }
        for histogram in histograms { text += Array(histogram.prometheusText(role: role).utf8) }
        return text
    }

    var readiness: Readiness { state.withLock { $0.readiness } }

    /// How long ago the role's loop last turned.
    func sinceLastTurn(now: ContinuousClock.Instant = .now) -> Duration {
        now - state.withLock { $0.lastTurn }
    }
}
