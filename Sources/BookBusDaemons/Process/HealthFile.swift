import BusProtocol
import Foundation

/// A file a role touches while its main loop turns, so a container health check (`bookbus
/// health`) can tell a running role from a stuck or dead one without speaking its protocol.
public struct HealthFile: Sendable {
    public let path: String
    private var lastBeatNanos: UInt64 = 0

    public init(path: String) {
        self.path = path
    }

    /// Rewrites the file with the current time, at most once a second.
    public mutating func beat(nowNanos: UInt64 = WallClock.nanosecondsSinceEpoch()) {
        guard nowNanos &- lastBeatNanos >= 1_000_000_000 else { return }
        lastBeatNanos = nowNanos
        let text = String(format: "%.3f\n", Double(nowNanos) / 1e9)
        // A failed write shows up as a stale file, which is what the check reports.
        FileReplacement.replace(path, with: Array(text.utf8))
    }

    /// Seconds since the file was last written, or `nil` when it does not exist.
    public static func age(of path: String, now: Date = Date()) -> Double? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            let modified = attributes[.modificationDate] as? Date
        else { return nil }
        return now.timeIntervalSince(modified)
    }
}
