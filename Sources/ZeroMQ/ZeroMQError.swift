import CZeroMQ

/// A failed libzmq call, with libzmq's own explanation (`zmq_strerror`).
public struct ZeroMQError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The libzmq function that failed, e.g. `zmq_bind`.
    public var operation: String
    /// The endpoint or option involved, if any.
    public var subject: String?
    /// `errno` as libzmq reported it.
    public var code: Int32

    public init(operation: String, subject: String? = nil, code: Int32 = zmq_errno()) {
        self.operation = operation
        self.subject = subject
        self.code = code
    }

    /// libzmq's message for ``code``.
    public var message: String { String(cString: zmq_strerror(code)) }

    public var description: String {
        var text = operation
        if let subject { text += "(\(subject))" }
        text += " failed: \(message)"
        if code == EADDRINUSE { text += "; another process holds that address: stop it or choose another port" }
        if code == EINVAL && (operation.hasSuffix("bind") || operation.hasSuffix("connect")) {
            text += "; endpoints look like tcp://127.0.0.1:5555, tcp://*:5555 or ipc:///tmp/name"
        }
        return text
    }
}
