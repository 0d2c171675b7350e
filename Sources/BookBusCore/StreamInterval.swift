/// A fixed interval of the ingest's receive clock, aligned to multiples of its length since the
/// Unix epoch, so two workers (or a replay and the live run it recorded) cut the same intervals.
public struct StreamInterval: Sendable, Hashable, CustomStringConvertible {
    /// The length, in nanoseconds.
    public let nanoseconds: UInt64
    /// The name it was given, e.g. `100ms`, `1s`, `5m`, `1h`.
    public let name: String

    /// Parses `<count><unit>` with the unit `ms`, `s`, `m` or `h`.
    public init(parsing text: String) throws(StreamIntervalError) {
        let units: [(suffix: String, nanoseconds: UInt64)] = [
            ("ms", 1_000_000), ("s", 1_000_000_000), ("m", 60_000_000_000), ("h", 3_600_000_000_000),
        ]
        guard let unit = units.first(where: { text.hasSuffix($0.suffix) }),
            let count = UInt64(text.dropLast(unit.suffix.count)), count > 0,
            case (let length, let overflow) = count.multipliedReportingOverflow(by: unit.nanoseconds), !overflow,
            length <= 86_400_000_000_000
        else { throw StreamIntervalError(text: text) }
        nanoseconds = length
        name = text
    }

    /// An interval of `milliseconds`, named so.
    public init(milliseconds: Int) {
        nanoseconds = UInt64(max(1, milliseconds)) * 1_000_000
        name = "\(max(1, milliseconds))ms"
    }

    public var description: String { name }

    /// The start of the interval that holds `time`.
    public func start(containing time: UInt64) -> UInt64 {
        time - time % nanoseconds
    }

    /// The end (exclusive) of the interval that holds `time`.
    public func end(containing time: UInt64) -> UInt64 {
        start(containing: time) + nanoseconds
    }
}

/// An interval that is not `<count><unit>` with the unit `ms`, `s`, `m` or `h`, or longer than a day.
public struct StreamIntervalError: Error, CustomStringConvertible, Equatable {
    public let text: String

    public init(text: String) {
        self.text = text
    }

    public var description: String {
        "interval \"\(text.prefix(40))\" is not <count><unit> with unit ms, s, m or h (e.g. 100ms, 1s, 1m), up to 24h"
    }
}
