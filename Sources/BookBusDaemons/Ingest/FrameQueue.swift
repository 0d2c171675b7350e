import CoinbaseFeed
import Foundation
import Synchronization

/// A bounded hand-over of session events (frames, reconnects) from async code (the WebSocket
/// sessions) to the publishing thread.
///
/// When full, ``push(_:)`` suspends the producer (back-pressure onto the WebSocket read) until the
/// consumer makes room: memory stays bounded and nothing is dropped here.
final class FrameQueue: Sendable {
    private struct State {
        var frames: [FeedSessionEvent] = []
        var waitingProducers: [CheckedContinuation<Void, Never>] = []
        /// Times a producer found the queue full and waited.
        var fullWaits = 0
    }

    private let state = Mutex(State())
    private let available = DispatchSemaphore(value: 0)
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// Appends an event, waiting while the queue is full.
    func push(_ frame: FeedSessionEvent) async {
        while true {
            let queued = state.withLock { state -> Bool in
                guard state.frames.count < capacity else { return false }
                state.frames.append(frame)
                return true
            }
            if queued {
                available.signal()
                return
            }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.frames.count < capacity { return true }
                    state.fullWaits += 1
                    state.waitingProducers.append(continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
    }

    /// Events waiting now, and how often a producer has had to wait for room.
    var depth: (queued: Int, fullWaits: Int) {
        state.withLock { ($0.frames.count, $0.fullWaits) }
    }

    /// Takes every queued event, waiting up to `timeoutMilliseconds` for the first. Blocking: call it
    /// only from a dedicated thread.
    func takeAll(timeoutMilliseconds: Int) -> [FeedSessionEvent] {
        _ = available.wait(timeout: .now() + .milliseconds(timeoutMilliseconds))
        let (frames, producers) = state.withLock { state in
            let taken = (state.frames, state.waitingProducers)
            state.frames = []
            state.waitingProducers = []
            return taken
        }
        for producer in producers { producer.resume() }
        return frames
    }
}
