import CZeroMQ

/// A libzmq socket. Not thread-safe: use it only on the thread that created it.
///
/// Messages are multipart: a list of frames, each a byte array.
public final class ZMQSocket {
    let handle: UnsafeMutableRawPointer
    public let type: SocketType
    /// Kept so the context is terminated only after its last socket is closed.
    private let context: ZMQContext
    private var closed = false

    init(handle: UnsafeMutableRawPointer, type: SocketType, context: ZMQContext) {
        self.handle = handle
        self.type = type
        self.context = context
    }

    deinit {
        close()
    }

    /// Sets an option; see ``SocketOption``.
    public func set(_ option: SocketOption) throws(ZeroMQError) {
        let result = option.withValue { pointer, length in zmq_setsockopt(handle, option.code, pointer, length) }
        guard result == 0 else { throw ZeroMQError(operation: "zmq_setsockopt", subject: option.description) }
    }

    /// Binds to a local endpoint such as `tcp://*:5555` or `tcp://127.0.0.1:0`.
    public func bind(_ endpoint: String) throws(ZeroMQError) {
        guard zmq_bind(handle, endpoint) == 0 else { throw ZeroMQError(operation: "zmq_bind", subject: endpoint) }
    }

    /// Connects to a remote endpoint; libzmq keeps reconnecting in the background.
    public func connect(_ endpoint: String) throws(ZeroMQError) {
        guard zmq_connect(handle, endpoint) == 0 else { throw ZeroMQError(operation: "zmq_connect", subject: endpoint) }
    }

    /// The endpoint of the last bind, with the real port when bound to port 0.
    public func lastEndpoint() throws(ZeroMQError) -> String {
        var buffer = [CChar](repeating: 0, count: 1024)
        var length = buffer.count
        guard zmq_getsockopt(handle, ZMQ_LAST_ENDPOINT, &buffer, &length) == 0 else {
            throw ZeroMQError(operation: "zmq_getsockopt", subject: "ZMQ_LAST_ENDPOINT")
        }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Sends one multipart message.
    /// - Parameter wait: `false` returns immediately when the message cannot be queued.
    /// - Returns: `false` when `wait` is `false` and the socket would block (EAGAIN).
    @discardableResult
    public func send(_ frames: [[UInt8]], wait: Bool = true) throws(ZeroMQError) -> Bool {
        precondition(!frames.isEmpty, "a message has at least one frame")
        for index in frames.indices {
            // Array's withUnsafeBytes rethrows untyped errors: carry the typed one out by hand.
            let sent: Result<Bool, ZeroMQError> = frames[index].withUnsafeBytes { buffer in
                Result { () throws(ZeroMQError) -> Bool in
                    try sendFrame(buffer, first: index == 0, more: index < frames.count - 1, wait: wait)
                }
            }
            guard try sent.get() else { return false }
        }
        return true
    }

    /// Sends one message of three frames given as raw bytes: the publishing hot path, which needs
    /// no arrays built per message.
    /// - Returns: `false` when `wait` is `false` and the socket would block (EAGAIN).
    public func send(
        _ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer, _ third: UnsafeRawBufferPointer,
        wait: Bool
    ) throws(ZeroMQError) -> Bool {
        guard try sendFrame(first, first: true, more: true, wait: wait) else { return false }
        _ = try sendFrame(second, first: false, more: true, wait: wait)
        _ = try sendFrame(third, first: false, more: false, wait: wait)
        return true
    }

    /// Sends one message: two frames given as raw bytes (a topic and a header, say), then the frames
    /// packed end to end in `packed`, frame `i` ending at `ends[i]`.
    /// - Returns: `false` when `wait` is `false` and the socket would block (EAGAIN); nothing was
    ///   sent then.
    public func send(
        _ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer, packed: UnsafeRawBufferPointer,
        ends: [Int], wait: Bool
    ) throws(ZeroMQError) -> Bool {
        precondition(!ends.isEmpty, "a message has at least one payload frame")
        guard try sendFrame(first, first: true, more: true, wait: wait) else { return false }
        _ = try sendFrame(second, first: false, more: true, wait: wait)
        var start = 0
        for (index, end) in ends.enumerated() {
            _ = try sendFrame(
                UnsafeRawBufferPointer(rebasing: packed[start..<end]), first: false, more: index < ends.count - 1,
                wait: wait)
            start = end
        }
        return true
    }

    /// One frame; `false` only when the first frame of a message meets EAGAIN (the rest of a
    /// message is queued with its first frame atomically).
    private func sendFrame(
        _ buffer: UnsafeRawBufferPointer, first: Bool, more: Bool, wait: Bool
    ) throws(ZeroMQError) -> Bool {
        var flags: Int32 = wait ? 0 : ZMQ_DONTWAIT
        if more { flags |= ZMQ_SNDMORE }
        while true {
            if zmq_send(handle, buffer.baseAddress, buffer.count, flags) >= 0 { return true }
            let code = zmq_errno()
            if code == EINTR { continue }
            if code == EAGAIN && first { return false }
            throw ZeroMQError(operation: "zmq_send", code: code)
        }
    }

    /// Receives one multipart message.
    /// - Parameter wait: `false` returns `nil` at once when nothing is queued.
    public func receive(wait: Bool = true) throws(ZeroMQError) -> [[UInt8]]? {
        var frames: [[UInt8]] = []
        return try receive(into: &frames, wait: wait) ? frames : nil
    }

    /// Receives one multipart message into `frames`, reusing the arrays already there: a caller
    /// that receives in a loop and lets go of the frames in between allocates nothing per message.
    /// - Parameter wait: `false` returns `false` at once when nothing is queued (`frames` untouched).
    /// - Returns: `true` when a message was received; `frames` then holds exactly its frames.
    public func receive(into frames: inout [[UInt8]], wait: Bool = true) throws(ZeroMQError) -> Bool {
        var message = zmq_msg_t()
        zmq_msg_init(&message)
        defer { zmq_msg_close(&message) }
        var count = 0
        while true {
            let flags: Int32 = (wait || count > 0) ? 0 : ZMQ_DONTWAIT
            if zmq_msg_recv(&message, handle, flags) < 0 {
                let code = zmq_errno()
                if code == EINTR { continue }
                if code == EAGAIN && count == 0 { return false }
                throw ZeroMQError(operation: "zmq_msg_recv", code: code)
            }
            let bytes = UnsafeRawBufferPointer(start: zmq_msg_data(&message), count: zmq_msg_size(&message))
            if count < frames.count {
                frames[count].removeAll(keepingCapacity: true)
                frames[count].append(contentsOf: bytes)
            } else {
                frames.append(Array(bytes))
            }
            count += 1
            if zmq_msg_more(&message) == 0 {
                if frames.count > count { frames.removeLast(frames.count - count) }
                return true
            }
        }
    }

    /// Publishes this socket's connection `events` on an inproc PAIR endpoint, for a PAIR socket
    /// connected there to read (two frames each: ``MonitorEvents/init(monitorFrame:)``, endpoint).
    public func monitor(_ endpoint: String, events: MonitorEvents) throws(ZeroMQError) {
        guard zmq_socket_monitor(handle, endpoint, events.rawValue) == 0 else {
            throw ZeroMQError(operation: "zmq_socket_monitor", subject: endpoint)
        }
    }

    /// Closes the socket; queued outbound messages are kept for the linger period.
    public func close() {
        guard !closed else { return }
        closed = true
        zmq_close(handle)
    }
}
