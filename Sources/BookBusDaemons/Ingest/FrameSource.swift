import BookBusCore
import BusProtocol
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
    /// What the source counts, for the ingest's report.
    var statistics: [Statistic] { get }
    /// Renews a product's subscription on its connection (a live source's business only).
    func renew(_ renewal: IngestOutput.Renewal)
    /// How far a finite source is: messages handed over and the share of it read (`nil`: endless).
    var progress: (messages: Int, fraction: Double)? { get }
}

extension FrameSource {
    var statistics: [Statistic] { [] }
    func renew(_ renewal: IngestOutput.Renewal) {}
    var progress: (messages: Int, fraction: Double)? { nil }
}

/// Frames from a recording: as fast as possible, at the recorded pace × speed, or at a fixed rate.
///
/// Each call hands over the frames that are due together, up to ``batch``: at full speed the next
/// run of lines; paced (as ``ReplayPacing`` says), the frame whose time has come and any others
/// already due (a replay that fell behind catches up in a burst, as a live socket delivers a
/// backlog).
struct ReplaySource: FrameSource {
    private let reader: RecordingReader
    private let speed: Double
    private let rate: Double
    private let clock: ReplayClock
    private var origin: (recorded: Double, started: ContinuousClock.Instant)?
    private var started: ContinuousClock.Instant?
    private var sent = 0
    /// A frame read but not yet due.
    private var held: RecordedFrame?

    init(path: String, speed: Double, rate: Double, clock: ReplayClock = .now) throws {
        reader = try RecordingReader(path: path)
        self.speed = speed
        self.rate = rate
        self.clock = clock
    }

    /// Most frames handed over per call (128 KB of typical lines). At full speed this is how many
    /// messages the ingest batches from at once: with 64, three interleaved products made batches
    /// of ~21 and the pipeline needed ~25% more CPU than with 1,024 (full batches of
    /// `ingest.max_batch`).
    private static let batch = 1024

    mutating func next(stop: StopFlag) throws -> SourceEvent {
        guard let first = try takeFrame() else { return .end }
        if let due = dueTime(of: first), !wait(until: due, stop: stop) {
            held = first
            return .idle
        }
        var frames = [first]
        frames.reserveCapacity(Self.batch)
        sent += 1
        while frames.count < Self.batch, let frame = try takeFrame() {
            if let due = dueTime(of: frame), !ReplayPacing.isDue(due, now: .now) {
                held = frame
                break
            }
            frames.append(frame)
            sent += 1
        }
        let now = WallClock.nanosecondsSinceEpoch()
        return .events(frames.map { .frame($0.bytes, receivedAtNanos: receiveTime(of: $0, now: now)) })
    }

    var progress: (messages: Int, fraction: Double)? { (sent, reader.fractionRead) }

    /// The receive time `frame` carries: `now`, or under ``ReplayClock/recorded`` its recorded
    /// time to the microsecond (a frame of an untimed recording has none, and gets `now`).
    private func receiveTime(of frame: RecordedFrame, now: UInt64) -> UInt64 {
        guard clock == .recorded, let recorded = frame.receivedAt, recorded > 0 else { return now }
        return UInt64((recorded * 1_000_000).rounded()) * 1_000
    }

    private mutating func takeFrame() throws -> RecordedFrame? {
        if let frame = held {
            held = nil
            return frame
        }
        return try reader.next()
    }

    /// When `frame` is due (`nil`: at once).
    private mutating func dueTime(of frame: RecordedFrame) -> ContinuousClock.Instant? {
        if rate > 0 {
            let started = self.started ?? .now
            self.started = started
            return started + .seconds(Double(sent) / rate)
        }
        guard speed > 0, let recordedAt = frame.receivedAt else { return nil }
        let origin = self.origin ?? (recordedAt, ContinuousClock.now)
        self.origin = origin
        return origin.started + .seconds((recordedAt - origin.recorded) / speed)
    }

    /// Sleeps as ``ReplayPacing`` says; `true` once `due` has come.
    private func wait(until due: ContinuousClock.Instant, stop: StopFlag) -> Bool {
        guard let sleep = ReplayPacing.sleep(until: due, now: .now) else { return true }
        guard !stop.isRequested else { return false }
        Thread.sleep(forTimeInterval: sleep / .seconds(1))
        return ReplayPacing.isDue(due, now: .now)
    }
}

/// Events handed over by the live WebSocket sessions.
struct LiveSource: FrameSource {
    let queue: FrameQueue
    /// Each connection's renewal requests, by label.
    let renewals: [String: SubscriptionRenewals]

    func renew(_ renewal: IngestOutput.Renewal) {
        renewals[renewal.connection]?.request(renewal.product)
    }

    mutating func next(stop: StopFlag) throws -> SourceEvent {
        let events = queue.takeAll(timeoutMilliseconds: 50)
        return events.isEmpty ? .idle : .events(events)
    }

    var statistics: [Statistic] {
        let depth = queue.depth
        return [
            Statistic(
                "frame_queue_depth", .gauge, depth.queued,
                help: "WebSocket messages waiting for the publishing thread (of ingest's queue capacity)."),
            Statistic(
                "frame_queue_full_waits", .counter, depth.fullWaits,
                help: "Times the WebSocket sessions found that queue full and waited (back-pressure)."),
        ]
    }
}
