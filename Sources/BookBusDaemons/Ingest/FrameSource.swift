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

/// Frames from a recording, as fast as possible or at the recorded pace × speed.
struct ReplaySource: FrameSource {
    private let reader: RecordingReader
    private let speed: Double
    private var origin: (recorded: Double, started: ContinuousClock.Instant)?

    init(path: String, speed: Double) throws {
        reader = try RecordingReader(path: path)
        self.speed = speed
    }

    mutating func next(stop: StopFlag) throws -> SourceEvent {
        guard let frame = try reader.next() else { return .end }
        if speed > 0, let recordedAt = frame.receivedAt {
            let origin = self.origin ?? (recordedAt, ContinuousClock.now)
            self.origin = origin
            let due = origin.started + .seconds((recordedAt - origin.recorded) / speed)
            while ContinuousClock.now < due {
                if stop.isRequested { return .idle }
                Thread.sleep(forTimeInterval: min(0.1, max(0, (due - ContinuousClock.now) / .seconds(1))))
            }
        }
        return .events([.frame(frame.bytes, receivedAtNanos: WallClock.nanosecondsSinceEpoch())])
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
