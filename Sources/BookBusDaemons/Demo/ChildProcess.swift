import Foundation

/// A `bookbus` subprocess started by the demo, with its exit awaited asynchronously.
final class ChildProcess: @unchecked Sendable {
    let name: String
    private let process = Process()
    private let exited = AsyncStream<Int32>.makeStream()

    init(name: String, executable: String, arguments: [String]) {
        self.name = name
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let continuation = exited.continuation
        process.terminationHandler = { process in
            continuation.yield(process.terminationStatus)
            continuation.finish()
        }
    }

    var commandLine: String {
        ([process.executableURL?.path ?? ""] + (process.arguments ?? [])).joined(separator: " ")
    }

    func start() throws {
        try process.run()
    }

    /// Asks the process to shut down cleanly (SIGTERM).
    func terminate() {
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
    }

    /// The exit status, once the process has ended.
    func waitForExit() async -> Int32 {
        for await status in exited.stream { return status }
        return process.terminationStatus
    }
}
