import CoinbaseFeed
import Foundation

/// What a frame source yields to the publishing loop.
enum SourceEvent {
    /// Frames to publish, in order.
    case frames([FrameQueue.Frame])
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
        return .frames([FrameQueue.Frame(bytes: frame.bytes, receivedAtNanos: WallClock.nanosecondsSinceEpoch())])
    }
}

/// Frames handed over by the live WebSocket session.
struct LiveSource: FrameSource {
    let queue: FrameQueue

    mutating func next(stop: StopFlag) throws -> SourceEvent {
        let frames = queue.takeAll(timeoutMilliseconds: 100)
        return frames.isEmpty ? .idle : .frames(frames)
    }
}
