import CoinbaseFeed
import Foundation

/// What a frame source yields to the publishing loop.
enum SourceEvent {
    /// Frames to publish and connection events, in order.
    case events([FeedSessionEvent])
    /// Nothing yet; poll again.
    case idle
    /// The source is exhausted (end of a recording).
    case end
}

/// A supplier of Coinbase frames for the ingest's publishing thread.
protocol FrameSource {
    mutating func next(stop: StopFlag) throws -> SourceEvent
}

/// Frames from a recording: as fast as possible, at the recorded pace × speed, or at a fixed rate.
struct ReplaySource: FrameSource {
    private let reader: RecordingReader
    private let speed: Double
    private let rate: Double
    private var origin: (recorded: Double, started: ContinuousClock.Instant)?
    private var started: ContinuousClock.Instant?
    private var sent = 0

    init(path: String, speed: Double, rate: Double) throws {
        reader = try RecordingReader(path: path)
        self.speed = speed
        self.rate = rate
    }

    mutating func next(stop: StopFlag) throws -> SourceEvent {
        guard let frame = try reader.next() else { return .end }
        if rate > 0 {
            let started = self.started ?? .now
            self.started = started
            guard wait(until: started + .seconds(Double(sent) / rate), stop: stop) else { return .idle }
            sent += 1
        } else if speed > 0, let recordedAt = frame.receivedAt {
            let origin = self.origin ?? (recordedAt, ContinuousClock.now)
            self.origin = origin
            guard wait(until: origin.started + .seconds((recordedAt - origin.recorded) / speed), stop: stop) else {
                return .idle
            }
        }
        return .events([.frame(frame.bytes, receivedAtNanos: WallClock.nanosecondsSinceEpoch())])
    }

    /// Sleeps until `due`, spinning only the last few microseconds; `false` if stopped.
    ///
    /// Spinning whole gaps (0.1 ms at 10 k messages/s) kept a core busy and pushed the other
    /// processes' wake-ups into millisecond tails on a two-core machine. A sleep may wake up to the
    /// kernel's timer slack (50 µs) late; the due times count from the start, so the rate holds.
    private func wait(until due: ContinuousClock.Instant, stop: StopFlag) -> Bool {
        while ContinuousClock.now < due {
            if stop.isRequested { return false }
            let remaining = (due - ContinuousClock.now) / .seconds(1)
            if remaining > 0.000_02 { Thread.sleep(forTimeInterval: min(0.1, remaining - 0.000_01)) }
        }
        return true
    }
}

/// Events handed over by the live WebSocket sessions.
struct LiveSource: FrameSource {
    let queue: FrameQueue

    mutating func next(stop: StopFlag) throws -> SourceEvent {
        let events = queue.takeAll(timeoutMilliseconds: 50)
        return events.isEmpty ? .idle : .events(events)
    }
}
