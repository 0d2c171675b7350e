import Foundation
import Subprocess
import Synchronization
import SystemPackage

/// A `bookbus` role run as a child process (by the demo or the benchmark), launched and reaped by
/// swift-subprocess. Standard output is the parent's; standard error is the parent's or a file.
public final class ChildProcess: Sendable {
    public let name: String
    public let executable: String
    public let arguments: [String]
    private let standardErrorPath: String?
    private let state = Mutex(State.notStarted)
    private let completion = Mutex<Task<Int32, any Error>?>(nil)

    private enum State {
        case notStarted
        case running(pid_t)
        case exited
    }

    /// - Parameter standardErrorPath: a file the child's standard error is written to (created or
    ///   truncated); `nil` to share the parent's.
    public init(name: String, executable: String, arguments: [String], standardErrorPath: String? = nil) {
        self.name = name
        self.executable = executable
        self.arguments = arguments
        self.standardErrorPath = standardErrorPath
    }

    /// The process identifier while the process runs.
    public var processIdentifier: Int32? {
        state.withLock { state in
            if case .running(let pid) = state { return pid }
            return nil
        }
    }

    var commandLine: String { ([executable] + arguments).joined(separator: " ") }

    /// Launches the process and returns once it runs.
    /// - Throws: when it cannot be launched (say, the executable is missing), or its standard
    ///   error file cannot be opened.
    public func start() async throws {
        let errorOutput: FileDescriptorOutput =
            if let standardErrorPath {
                .fileDescriptor(
                    try FileDescriptor.open(
                        FilePath(standardErrorPath), .writeOnly, options: [.create, .truncate],
                        permissions: [.ownerReadWrite, .groupRead, .otherRead]),
                    closeAfterSpawningProcess: true)
            } else {
                .currentStandardError
            }
        let (launched, launch) = AsyncStream<Void>.makeStream()
        let task = Task { [self] in
            defer { launch.finish() }
            let result = try await Subprocess.run(
                .path(FilePath(executable)), arguments: Arguments(arguments), input: .none,
                output: .currentStandardOutput, error: errorOutput
            ) { execution in
                state.withLock { $0 = .running(execution.processIdentifier.value) }
                launch.finish()
            }
            state.withLock { $0 = .exited }
            switch result.terminationStatus {
            case .exited(let code): return code
            case .signaled(let signal): return 128 + signal
            }
        }
        completion.withLock { $0 = task }
        for await _ in launched {}
        if case .notStarted = state.withLock({ $0 }) {
            _ = try await task.value
        }
    }

    /// Asks the process to shut down cleanly (SIGTERM), if it runs.
    public func terminate() {
        state.withLock { state in
            if case .running(let pid) = state { kill(pid, SIGTERM) }
        }
    }

    /// The exit status once the process has ended, 128 + the signal's number if a signal ended it.
    public func waitForExit() async throws -> Int32 {
        guard let task = completion.withLock({ $0 }) else {
            throw ChildProcessError(description: "\(name) was never started")
        }
        return try await task.value
    }
}

/// Why a child process could not be run.
public struct ChildProcessError: Error, CustomStringConvertible {
    public var description: String
}
