/// A ZeroMQ endpoint with the side that binds spelled out, in CZMQ's notation:
/// `@tcp://*:5555` binds, `>tcp://host:5555` connects, and a bare endpoint takes the role's default.
public struct Endpoint: Sendable, Equatable, CustomStringConvertible {
    public enum Mode: Sendable, Equatable {
        case bind
        case connect
    }

    public var mode: Mode
    /// The libzmq address, e.g. `tcp://127.0.0.1:5555`.
    public var address: String

    public init(mode: Mode, address: String) {
        self.mode = mode
        self.address = address
    }

    /// Parses `@addr`, `>addr` or `addr` (then `defaultMode`).
    public init(parsing text: String, defaultMode: Mode) {
        if text.hasPrefix("@") {
            self.init(mode: .bind, address: String(text.dropFirst()))
        } else if text.hasPrefix(">") {
            self.init(mode: .connect, address: String(text.dropFirst()))
        } else {
            self.init(mode: defaultMode, address: text)
        }
    }

    public var description: String { (mode == .bind ? "@" : ">") + address }
}
