import Foundation

/// A `bookbus` subprocess (started by the demo or the benchmark), with its exit awaited
/// asynchronously.
public final class ChildProcess: @unchecked Sendable {
    public let name: String
    private let process = Process()
    private let exited = AsyncStream<Int32>.makeStream()

    public init(name: String, executable: String, arguments: [String], standardError: FileHandle? = nil) {
        self.name = name
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let standardError { process.standardError = standardError }
        let continuation = exited.continuation
        process.terminationHandler = { process in
            continuation.yield(process.terminationStatus)
            continuation.finish()
        }
    }

    public var processIdentifier: Int32 { process.processIdentifier }

    var commandLine: String {
        ([process.executableURL?.path ?? ""] + (process.arguments ?? [])).joined(separator: " ")
    }

    public func start() throws {
        try process.run()
    }

    /// Asks the process to shut down cleanly (SIGTERM).
    public func terminate() {
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
    }

    /// The exit status, once the process has ended.
    public func waitForExit() async -> Int32 {
        for await status in exited.stream { return status }
        return process.terminationStatus
    }
}
