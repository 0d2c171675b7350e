import CZeroMQ

/// What to wait for on a socket or file descriptor.
public struct PollEvents: OptionSet, Sendable {
    public let rawValue: Int16
    public init(rawValue: Int16) { self.rawValue = rawValue }

    public static let readable = PollEvents(rawValue: Int16(ZMQ_POLLIN))
    public static let writable = PollEvents(rawValue: Int16(ZMQ_POLLOUT))
}

/// Waits on several sockets and file descriptors at once (`zmq_poll`).
/// Like the sockets it watches, a poller belongs to one thread.
public struct Poller {
    private var items: [zmq_pollitem_t] = []

    public init() {}

    /// Watches a socket; returns its index for ``events(at:)``.
    @discardableResult
    public mutating func add(_ socket: ZMQSocket, _ events: PollEvents) -> Int {
        items.append(zmq_pollitem_t(socket: socket.handle, fd: -1, events: events.rawValue, revents: 0))
        return items.count - 1
    }

    /// Watches a plain file descriptor; returns its index.
    @discardableResult
    public mutating func add(fileDescriptor: Int32, _ events: PollEvents) -> Int {
        items.append(zmq_pollitem_t(socket: nil, fd: fileDescriptor, events: events.rawValue, revents: 0))
        return items.count - 1
    }

    /// Waits up to `timeoutMilliseconds` (-1 forever) for any watched event.
    /// - Returns: how many items are ready; 0 on timeout or when a signal interrupted the wait.
    @discardableResult
    public mutating func poll(timeoutMilliseconds: Int) throws(ZeroMQError) -> Int {
        let count = items.count
        let result = items.withUnsafeMutableBufferPointer { buffer in
            zmq_poll(buffer.baseAddress, Int32(count), timeoutMilliseconds)
        }
        if result < 0 {
            let code = zmq_errno()
            if code == EINTR { return 0 }
            throw ZeroMQError(operation: "zmq_poll", code: code)
        }
        return Int(result)
    }

    /// What was ready on item `index` after the last ``poll(timeoutMilliseconds:)``.
    public func events(at index: Int) -> PollEvents {
        PollEvents(rawValue: items[index].revents)
    }
}
