/// How a paced sender waits for a message's due time: the ingest's replay at a rate or at the
/// recorded pace, and the benchmark's relay-hop floor, which must be paced the same way to be a
/// floor of the same thing.
///
/// Due times count from the start, so a sleep that overshoots does not slow the rate: the next
/// message is simply due sooner.
public enum ReplayPacing {
    /// Messages due within this much go out now, early: a sleep can overshoot by the kernel's timer
    /// slack (50 µs) anyway, and spinning through short gaps (10 µs apart at 100 k messages/s)
    /// would keep a core from the rest of the pipeline.
    public static let earliness = Duration.microseconds(50)
    /// The longest one sleep lasts, so a sender that also serves requests (the ingest answers the
    /// snapshot service and sends heartbeats) is not held up by a recording's quiet minute.
    public static let longestSleep = Duration.milliseconds(5)

    /// Whether a message due at `due` goes out at `now`.
    public static func isDue(_ due: ContinuousClock.Instant, now: ContinuousClock.Instant) -> Bool {
        due - now <= earliness
    }

    /// How long to sleep at `now` before looking again at a message due at `due`; `nil` when it is
    /// due already.
    public static func sleep(
        until due: ContinuousClock.Instant, now: ContinuousClock.Instant
    ) -> Duration? {
        isDue(due, now: now) ? nil : min(longestSleep, due - now - earliness)
    }
}
