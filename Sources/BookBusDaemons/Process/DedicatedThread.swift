import Foundation
import ServiceLifecycle

/// Runs a blocking socket loop on a thread of its own, so that libzmq calls never block Swift's
/// cooperative thread pool, and bridges its end back to async code.
///
/// Graceful shutdown (SIGTERM/SIGINT through swift-service-lifecycle) and task cancellation both set
/// the ``StopFlag`` the loop checks between polls; the loop then flushes and returns.
enum DedicatedThread {
    static func run(name: String, _ loop: @escaping @Sendable (StopFlag) throws -> Void) async throws {
        let stop = StopFlag()
        try await withGracefulShutdownHandler {
            try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                    let thread = Thread {
                        // Named from inside: set before start, the name does not reach the kernel
                        // (`top -H`, `ps -L`, `perf` show it; 15 bytes at most on Linux).
                        Thread.current.name = String(name.utf8.prefix(15))!
                        do {
                            try loop(stop)
                            continuation.resume()
                        } catch {
                            continuation.resume(throwing: error)
                        }
                    }
                    thread.name = name
                    thread.start()
                }
            } onCancel: {
                stop.request()
            }
        } onGracefulShutdown: {
            stop.request()
        }
    }
}
