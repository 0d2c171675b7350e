import Foundation

/// Wall-clock time in nanoseconds since the Unix epoch, as carried in bus frame headers.
public enum WallClock {
    public static func nanosecondsSinceEpoch() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }
}
