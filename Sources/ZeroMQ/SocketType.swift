import CZeroMQ

/// The libzmq socket types BookBus uses.
public enum SocketType: Sendable, CustomStringConvertible {
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

    /// The libzmq constant (`ZMQ_PUB`, …).
    var zmqConstant: Int32 {
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
