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

    /// Writes the report when the last write is at least ``interval`` old.
    mutating func writeIfDue(now: ContinuousClock.Instant, _ report: @autoclosure () -> StatsReport) {
        guard lastWrite.map({ now - $0 >= Self.interval }) ?? true else { return }
        lastWrite = now
        write(report())
    }

    /// Writes the report now. A failed write leaves the previous file, which readers see as stale.
    func write(_ report: StatsReport) {
        try? Data(report.json).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
