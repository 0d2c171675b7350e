import BookBusCore
import Foundation

/// A file holding a role's ``StatsReport`` as JSON, rewritten (atomically) about once a second while
/// the role runs and once more when it stops, so tests, the benchmark and operators read numbers
/// rather than log lines.
public struct StatsFile: Sendable {
    public let path: String
    private var lastWrite: ContinuousClock.Instant?
    static let interval = Duration.seconds(1)

    public init(path: String) {
        self.path = path
    }

    /// True when the last write is at least ``interval`` old.
    func isDue(now: ContinuousClock.Instant) -> Bool {
        lastWrite.map { now - $0 >= Self.interval } ?? true
    }

    /// Writes the report, due or not, and counts the interval from `now`.
    mutating func write(_ report: StatsReport, now: ContinuousClock.Instant) {
        lastWrite = now
        write(report)
    }

    /// Writes the report now. A failed write leaves the previous file, which readers see as stale.
    func write(_ report: StatsReport) {
        FileReplacement.replace(path, with: report.json)
    }
}
