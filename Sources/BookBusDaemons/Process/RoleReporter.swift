import BookBusCore
import Logging

/// Everything a role tells the outside while it runs — its health file, its stats file and its
/// status endpoint (`/metrics`, `/health`, `/ready`) — fed from the role's housekeeping timer, so no
/// daemon repeats the bookkeeping and none of it runs per message.
final class RoleReporter {
    private var health: HealthFile?
    private var stats: StatsFile?
    private let endpoint: StatusEndpoint?
    private var lastPost: ContinuousClock.Instant?
    /// How often the endpoint's numbers are brought up to date (a scrape sees them this old at most;
    /// Prometheus scrapes every few seconds).
    static let postInterval = Duration.seconds(1)

    init(role: String, health: HealthFile?, stats: StatsFile?, metrics: HostAndPort?, logger: Logger) throws {
        self.health = health
        self.stats = stats
        endpoint = try metrics.map { try StatusEndpoint(listen: $0, board: StatusBoard(role: role), logger: logger) }
    }

    /// The loop turned at `now`: beat, and write or post what is due.
    func housekeeping(
        now: ContinuousClock.Instant, report: () -> StatsReport, readiness: @autoclosure () -> Readiness
    ) {
        health?.beat()
        let postDue = endpoint != nil && lastPost.map { now - $0 >= Self.postInterval } ?? true
        let statsDue = stats?.isDue(now: now) ?? false
        guard postDue || statsDue else { return }
        let current = report()
        if statsDue { stats?.write(current, now: now) }
        if postDue, let endpoint {
            lastPost = now
            endpoint.board.post(current, readiness: readiness(), now: now)
        }
    }

    /// The role stops: the final report goes to the stats file and the endpoint closes.
    func finish(_ report: StatsReport) {
        stats?.write(report)
        endpoint?.board.post(report, readiness: .notReady("stopping"))
        endpoint?.close()
    }
}
