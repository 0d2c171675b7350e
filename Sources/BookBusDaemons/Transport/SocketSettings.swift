/// The ZeroMQ settings every BookBus socket takes.
public struct SocketSettings: Sendable, Equatable {
    /// Messages queued per peer before a publisher drops (or, when lossless, waits).
    public var highWaterMark: Int32 = 25_000
    /// Kernel buffer of each bus TCP connection, bytes (send side on publishers, receive side on
    /// subscribers); `nil` keeps the OS's autotuned one. A small one makes a stalled subscriber
    /// meet its loss as soon as it wakes instead of first working through seconds-old messages.
    public var kernelBufferBytes: Int32?
    /// How long closing may spend delivering what is still queued.
    public var lingerMilliseconds: Int32 = 2_000
    /// Reconnect backoff for connecting sockets: first delay and cap.
    public var reconnectIntervalMilliseconds: Int32 = 100
    public var reconnectIntervalMaxMilliseconds: Int32 = 5_000
    /// ZMTP heartbeats: a peer silent this long after a PING is dropped.
    public var heartbeatIntervalMilliseconds: Int32 = 1_000
    public var heartbeatTimeoutMilliseconds: Int32 = 5_000
    /// Largest inbound message; a peer that sends more is disconnected.
    public var maxMessageBytes: Int64 = 64 << 20
    /// CURVE encryption and allow-listing for every socket, when set.
    public var curve: CurveSecurity?

    public init() {}
}
