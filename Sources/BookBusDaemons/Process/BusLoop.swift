import ZeroMQ

/// The loop a daemon's thread runs, in the spirit of CZMQ's `zloop`: named handlers for sockets
/// that became readable and for timers, one place that polls and one place that stops.
///
/// A handler takes a bounded amount of work and says whether more is waiting, so timers are never
/// starved by a busy socket. The loop ends when a handler calls ``finish()``, when stop is
/// requested (SIGTERM, SIGINT), or when a handler throws; ``StopRequested`` thrown from deep inside
/// a handler (a lossless publisher waiting on a full queue) ends it like a stop request.
final class BusLoop {
    private struct Reader {
        var name: String
        var handler: () throws -> Bool
    }

    private struct Timer {
        var name: String
        var interval: Duration
        var due: ContinuousClock.Instant
        var handler: (ContinuousClock.Instant) throws -> Void
    }

    let stop: StopFlag
    private var poller = Poller()
    private var readers: [Reader] = []
    private var timers: [Timer] = []
    private var source: (name: String, handler: () throws -> Void)?
    private var finished = false
    /// The longest a poll waits, so a stop request is seen promptly.
    static let longestWait = Duration.milliseconds(50)

    init(stop: StopFlag) {
        self.stop = stop
    }

    /// Calls `handler` whenever `socket` has something to read; it returns `true` when it left
    /// work behind (it took its batch) and wants to be called again without waiting.
    func onReadable(_ socket: ZMQSocket, name: String, _ handler: @escaping () throws -> Bool) {
        poller.add(socket, .readable)
        readers.append(Reader(name: name, handler: handler))
    }

    /// Calls `handler` on every turn, after the sockets: a source of work that is not a socket (a
    /// recording, the WebSocket sessions' queue) and that waits briefly by itself when it has
    /// nothing, so the loop then polls its sockets without waiting.
    func onEveryTurn(name: String, _ handler: @escaping () throws -> Void) {
        source = (name, handler)
    }

    /// Calls `handler` with the current time every `interval` (the first time at once).
    func every(_ interval: Duration, name: String, _ handler: @escaping (ContinuousClock.Instant) throws -> Void) {
        timers.append(Timer(name: name, interval: interval, due: .now, handler: handler))
    }

    /// Ends the loop once the running handler returns.
    func finish() {
        finished = true
    }

    /// Runs until ``finish()``, a stop request, or a handler's error (rethrown).
    func run() throws {
        var busy = true
        do {
            while !finished && !stop.isRequested {
                let now = ContinuousClock.now
                var nextDue = now + Self.longestWait
                for index in timers.indices {
                    if timers[index].due <= now {
                        timers[index].due = now + timers[index].interval
                        try timers[index].handler(now)
                        if finished { return }
                    }
                    nextDue = min(nextDue, timers[index].due)
                }
                let wait = busy || source != nil ? Duration.zero : max(.zero, nextDue - ContinuousClock.now)
                try poller.poll(timeoutMilliseconds: Self.milliseconds(wait))
                busy = false
                for index in readers.indices where poller.events(at: index).contains(.readable) {
                    if try readers[index].handler() { busy = true }
                    if finished { return }
                }
                if let source { try source.handler() }
            }
        } catch is StopRequested {
            return
        }
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(seconds) * 1_000 + Int((attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
    }
}

/// Thrown where a daemon waits (a lossless publisher on a full queue) once stop was requested;
/// ``BusLoop`` ends on it as on the request itself.
struct StopRequested: Error {}
