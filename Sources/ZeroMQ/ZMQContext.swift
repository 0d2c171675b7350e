import CZeroMQ

/// A libzmq context: owns the I/O threads. Thread-safe; create one per process.
public final class ZMQContext: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer

    public init() throws(ZeroMQError) {
        guard let handle = zmq_ctx_new() else { throw ZeroMQError(operation: "zmq_ctx_new") }
        self.handle = handle
    }

    /// Creates a socket. The socket belongs to the calling thread from now on.
    public func socket(_ type: SocketType) throws(ZeroMQError) -> ZMQSocket {
        guard let socket = zmq_socket(handle, type.zmqConstant) else {
            throw ZeroMQError(operation: "zmq_socket", subject: "\(type)")
        }
        return ZMQSocket(handle: socket, type: type, context: self)
    }

    /// Runs when the last socket is gone: waits out their linger, then releases the context.
    deinit {
        while zmq_ctx_term(handle) != 0 && zmq_errno() == EINTR {}
    }
}
