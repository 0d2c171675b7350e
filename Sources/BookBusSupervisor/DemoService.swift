import Foundation
public import Logging
public import ServiceLifecycle

/// What the demo runs.
public struct DemoConfiguration: Sendable {
    /// The `bookbus` executable to start for each role.
    public var executable: String
    public var recording: String
    /// Replay speed: 0 as fast as possible, otherwise the recorded pace × speed.
    public var speed: Double
    public var workers: Int
    /// First of the TCP ports on 127.0.0.1: ingest, its snapshot service, then one per worker.
    public var basePort: Int
    /// Extra arguments for every worker and for the sink.
    public var workerArguments: [String]
    public var sinkArguments: [String]
    public var logLevel: String

    public init(
        executable: String, recording: String, speed: Double, workers: Int, basePort: Int,
        workerArguments: [String], sinkArguments: [String], logLevel: String
    ) {
        self.executable = executable
        self.recording = recording
        self.speed = speed
        self.workers = workers
        self.basePort = basePort
        self.workerArguments = workerArguments
        self.sinkArguments = sinkArguments
        self.logLevel = logLevel
    }
}

/// Why the demo failed.
public struct DemoError: Error, CustomStringConvertible {
    public var description: String
}

/// Starts the real topology as separate processes over TCP loopback: one ingest replaying a
/// recording, `workers` book workers with `--shard i/n`, and a sink printing spreads. The sink
/// starts first and the ingest last; each publisher waits for its subscribers, so no message is
/// lost to a slow joiner. Ends when the replay has flowed through, or on SIGINT/SIGTERM.
public struct DemoService: Service {
    public let configuration: DemoConfiguration
    private let logger: Logger

    public init(configuration: DemoConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// The processes, in start order: sink, workers, ingest.
    func plan() -> [ChildProcess] {
        let host = "tcp://127.0.0.1"
        let ingestPort = configuration.basePort
        let snapshotPort = configuration.basePort + 1
        let workerPorts = (0..<configuration.workers).map { configuration.basePort + 2 + $0 }
        let common = ["--log-level", configuration.logLevel]
        let sink = ChildProcess(
            name: "sink", executable: configuration.executable,
            arguments: ["sink"] + workerPorts.flatMap { ["--connect", ">\(host):\($0)"] }
                + ["--exit-after-ends", "\(configuration.workers)"] + configuration.sinkArguments + common)
        let workers = workerPorts.enumerated().map { index, port in
            ChildProcess(
                name: "worker-\(index)", executable: configuration.executable,
                arguments: [
                    "worker", "--shard", "\(index)/\(configuration.workers)", "--ingest", ">\(host):\(ingestPort)",
                    "--snapshots", ">\(host):\(snapshotPort)",
                    "--publish", "@\(host):\(port)", "--wait-for-subscribers", "1", "--exit-on-end", "--lossless",
                    "--name", "worker-\(index)",
                ] + configuration.workerArguments + common)
        }
        let ingest = ChildProcess(
            name: "ingest", executable: configuration.executable,
            arguments: [
                "ingest", "--replay", configuration.recording, "--speed", "\(configuration.speed)",
                "--publish", "@\(host):\(ingestPort)", "--snapshots", "@\(host):\(snapshotPort)",
                // The demo's terminal shows the board or the sink's lines, not the replay's progress.
                "--wait-for-subscribers", "\(configuration.workers)", "--no-progress",
            ] + common)
        return [sink] + workers + [ingest]
    }

    public func run() async throws {
        guard FileManager.default.fileExists(atPath: configuration.recording) else {
            throw DemoError(description: "recording \(configuration.recording) not found; pass --recording PATH")
        }
        let children = plan()
        for (index, child) in children.enumerated() {
            logger.debug("starting", metadata: ["process": "\(child.name)", "command": "\(child.commandLine)"])
            do {
                try await child.start()
            } catch {
                for started in children[..<index] { started.terminate() }
                throw DemoError(description: "could not start the \(child.name): \(error)")
            }
        }
        logger.info("demo running", metadata: ["processes": "\(children.map(\.name).joined(separator: ", "))"])
        let failures = await withGracefulShutdownHandler {
            await withTaskGroup(of: (String, String?).self) { group in
                for child in children {
                    group.addTask {
                        do {
                            let status = try await child.waitForExit()
                            return (child.name, status == 0 ? nil : "exited with status \(status)")
                        } catch {
                            return (child.name, "failed: \(error)")
                        }
                    }
                }
                var failures: [String] = []
                for await (name, failure) in group {
                    guard let failure else { continue }
                    failures.append("\(name) \(failure)")
                    // One role failed: the topology cannot finish; stop the rest.
                    for child in children { child.terminate() }
                }
                return failures
            }
        } onGracefulShutdown: {
            for child in children { child.terminate() }
        }
        guard failures.isEmpty else { throw DemoError(description: failures.joined(separator: "; ")) }
        logger.info("demo finished")
    }
}
