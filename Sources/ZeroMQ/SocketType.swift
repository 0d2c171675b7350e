import CZeroMQ

/// The libzmq socket types BookBus uses.
public enum SocketType: Int32, Sendable, CustomStringConvertible {
    case pub
    case sub
    case xpub
    case xsub
    case router
    case dealer
    case push
    case pull
    case pair
    case rep

    public var rawValue: Int32 {
        switch self {
        case .pub: ZMQ_PUB
        case .sub: ZMQ_SUB
        case .xpub: ZMQ_XPUB
        case .xsub: ZMQ_XSUB
        case .router: ZMQ_ROUTER
        case .dealer: ZMQ_DEALER
        case .push: ZMQ_PUSH
        case .pull: ZMQ_PULL
        case .pair: ZMQ_PAIR
        case .rep: ZMQ_REP
        }
    }

    public init?(rawValue: Int32) {
        guard let match = Self.allCases.first(where: { $0.rawValue == rawValue }) else { return nil }
        self = match
    }

    private static let allCases: [SocketType] = [.pub, .sub, .xpub, .xsub, .router, .dealer, .push, .pull, .pair, .rep]

    public var description: String {
        switch self {
        case .pub: "PUB"
        case .sub: "SUB"
        case .xpub: "XPUB"
        case .xsub: "XSUB"
        case .router: "ROUTER"
        case .dealer: "DEALER"
        case .push: "PUSH"
        case .pull: "PULL"
        case .pair: "PAIR"
        case .rep: "REP"
        }
    }
}
