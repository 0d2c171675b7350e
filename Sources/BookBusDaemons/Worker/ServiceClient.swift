import BusProtocol
import Logging
import ZeroMQ

/// What the ingest's service endpoint answered.
enum ServiceReply {
    /// A snapshot reply: shaped like a bus message.
    case snapshot(BusMessage)
    /// The worker group's current assignment for this worker.
    case assignment(Assignment)
    /// Frames that are neither: not three frames with a valid topic and header.
    case malformed(BusProtocolError)
}

/// The worker's side of the ingest's service endpoint: a DEALER socket asking for books and, in
/// a worker group, sending the membership heartbeat.
final class ServiceClient {
    let socket: ZMQSocket
    /// Kept alive with the socket: its ZAP handler must outlive every secured socket.
    private let bus: BusContext
    private let logger: Logger

    init(bus: BusContext, endpoints: [Endpoint], logger: Logger) throws {
        socket = try bus.socket(.dealer)
        self.bus = bus
        try socket.set(.lingerMilliseconds(0))
        for endpoint in endpoints { try bus.attach(socket, to: endpoint) }
        self.logger = logger
    }

    /// Sends a request; a full queue (the ingest is gone) drops it, and the worker asks again later.
    func request(_ product: String) throws {
        if try !socket.send(SnapshotProtocol.request(product: product), wait: false) {
            logger.debug("snapshot request not sent: no ingest reachable yet", metadata: ["product": "\(product)"])
        }
    }

    /// Sends the group heartbeat of `member`.
    func join(member: String) throws {
        _ = try socket.send(GroupProtocol.join(member: member), wait: false)
    }

    /// The next reply, if one is queued.
    func nextReply() throws -> ServiceReply? {
        guard let frames = try socket.receive(wait: false) else { return nil }
        if let assignment = Assignment(frames: frames) { return .assignment(assignment) }
        do {
            return .snapshot(try BusMessage(frames: frames))
        } catch {
            return .malformed(error)
        }
    }

    func close() {
        socket.close()
    }
}
