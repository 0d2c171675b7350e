import Foundation
import Logging
import Synchronization
import ZeroMQ

/// The ZAP handler of a process (`inproc://zeromq.zap.01`): admits CURVE clients whose public key
/// is allowed and logs every refusal. It also reads the server sockets' monitors, to log
/// handshakes that fail before ZAP is asked (a client without CURVE, or with a wrong server key).
///
/// It runs on a thread of its own, so handshakes never wait for a busy daemon loop.
final class SecurityGuard: @unchecked Sendable {
    /// What the guard's thread and its owner share.
    private final class Shared: Sendable {
        let stop = StopFlag()
        let pendingMonitors = Mutex<[String]>([])
        let startFailure = Mutex<ZeroMQError?>(nil)
        let ready = DispatchSemaphore(value: 0)
        let finished = DispatchSemaphore(value: 0)
    }

    private let shared = Shared()
    private var nextMonitor = 0

    init(context: ZMQContext, curve: CurveSecurity, logger: Logger) throws {
        let shared = self.shared
        let thread = Thread {
            defer { shared.finished.signal() }
            do {
                let handler = try context.socket(.rep)
                defer { handler.close() }
                try handler.set(.lingerMilliseconds(0))
                try handler.bind("inproc://zeromq.zap.01")
                shared.ready.signal()
                try Self.serve(handler, context: context, curve: curve, shared: shared, logger: logger)
            } catch {
                logger.error("ZAP handler failed", metadata: ["error": "\(error)"])
                shared.startFailure.withLock { $0 = error as? ZeroMQError ?? ZeroMQError(operation: "zap", code: 0) }
                shared.ready.signal()
            }
        }
        thread.name = "zap"
        thread.start()
        shared.ready.wait()
        if let error = shared.startFailure.withLock({ $0 }) { throw error }
    }

    /// An inproc endpoint for one more server socket's monitor; the guard reads it.
    func monitorEndpoint() -> String {
        nextMonitor += 1
        let endpoint = "inproc://bookbus-monitor-\(nextMonitor)"
        shared.pendingMonitors.withLock { $0.append(endpoint) }
        return endpoint
    }

    /// Stops the thread and waits for it.
    func shutdown() {
        shared.stop.request()
        shared.finished.wait()
    }

    static let monitoredEvents: MonitorEvents = [
        .handshakeFailedNoDetail, .handshakeFailedProtocol, .handshakeFailedAuth,
    ]

    private static func serve(
        _ handler: ZMQSocket, context: ZMQContext, curve: CurveSecurity, shared: Shared, logger: Logger
    ) throws {
        var monitorSockets: [ZMQSocket] = []
        defer { for socket in monitorSockets { socket.close() } }
        var denied = 0
        while !shared.stop.isRequested {
            for endpoint in shared.pendingMonitors.withLock({ list in
                defer { list.removeAll() }
                return list
            }) {
                let monitor = try context.socket(.pair)
                try monitor.set(.lingerMilliseconds(0))
                try monitor.connect(endpoint)
                monitorSockets.append(monitor)
            }
            var poller = Poller()
            poller.add(handler, .readable)
            for monitor in monitorSockets { poller.add(monitor, .readable) }
            try poller.poll(timeoutMilliseconds: 100)
            if let request = try handler.receive(wait: false) {
                // RFC 27: version, request id, domain, address, identity, mechanism, credentials.
                guard request.count >= 6 else { continue }
                let mechanism = String(decoding: request[5], as: UTF8.self)
                let address = String(decoding: request[3], as: UTF8.self)
                var status = "400"
                var text = "mechanism \(mechanism) not accepted"
                if mechanism == "CURVE", request.count >= 7, let key = CurveKeyPair.z85(binary: request[6]) {
                    if curve.allows(key) {
                        status = "200"
                        text = "OK"
                    } else {
                        text = "client key not allowed"
                        denied += 1
                        logger.warning(
                            "CURVE client refused: its public key is not in the allow-list",
                            metadata: ["key": "\(key)", "address": "\(address)", "refused_total": "\(denied)"])
                    }
                }
                try handler.send([Array("1.0".utf8), request[1], Array(status.utf8), Array(text.utf8), [], []])
            }
            for monitor in monitorSockets {
                while let event = try monitor.receive(wait: false) {
                    guard event.count == 2, let kind = MonitorEvents(monitorFrame: event[0]) else { continue }
                    let reason =
                        if kind == .handshakeFailedAuth {
                            "authentication refused (see the refusal above)"
                        } else {
                            "the client does not speak CURVE, or does not know the server key"
                        }
                    logger.warning(
                        "connection refused during the security handshake",
                        metadata: ["reason": "\(reason)", "endpoint": "\(String(decoding: event[1], as: UTF8.self))"])
                }
            }
        }
    }
}
