import ArgumentParser
import BookBusDaemons
import BookBusSupervisor
import Foundation

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract:
            "Run the whole topology on this machine: ingest replay → 2 workers → sink, as processes over TCP loopback.")

    @Option(help: "The recording to replay.")
    var recording: String = "data/exchange-level2-2021-10products.timed.jsonl"

    @Option(help: "Replay speed: 0 as fast as possible, otherwise the recorded pace × this.")
    var speed: Double = 10

    @Option(help: "Number of book workers (each gets --shard i/n).")
    var workers: Int = 2

    @Option(help: "First TCP port on 127.0.0.1: the ingest's; its snapshot service and the workers take the next ones.")
    var basePort: Int = 5555

    @Option(help: "Passed to the workers: change or every-message.")
    var emit: String = "change"

    @Option(help: "Passed to the sink: event families (spread, tob).")
    var events: String = "spread"

    @Option(help: "Passed to the sink: keep only spreads at least this wide, in basis points.")
    var minSpreadBps: String?

    @Option(help: "Passed to the sink: output format, text or json.")
    var format: String = "text"

    @Option(help: "Log level of every process.")
    var logLevel: String = "warning"

    @Option(
        help:
            "board: the live board (bookbus top) shows the books; lines: the sink prints its events. Default: board when standard output is a terminal."
    )
    var view: DemoView?

    enum DemoView: String, ExpressibleByArgument {
        case board, lines
    }

    func validate() throws {
        guard workers >= 1 else { throw ValidationError("--workers must be at least 1") }
        guard (1024...(65535 - workers - 1)).contains(basePort) else {
            throw ValidationError("--base-port must leave room for \(workers + 2) ports below 65536")
        }
    }

    func run() async throws {
        let settings = try CommonOptions.parse(["--log-level", logLevel]).settings()
        let logger = settings.makeLogger(role: "demo")
        let board = (view ?? (isatty(STDOUT_FILENO) == 1 ? .board : .lines)) == .board
        var sinkArguments = ["--events", events, "--format", format]
        if let minSpreadBps { sinkArguments += ["--min-spread-bps", minSpreadBps] }
        // With the board, the sink still takes every event but leaves the screen to the board.
        if board { sinkArguments.append("--quiet") }
        let configuration = DemoConfiguration(
            executable: Bundle.main.executablePath ?? CommandLine.arguments[0], recording: recording, speed: speed,
            workers: workers, basePort: basePort, workerArguments: ["--emit", emit], sinkArguments: sinkArguments,
            logLevel: logLevel)
        let demo = DemoService(configuration: configuration, logger: logger)
        guard board else { return try await runUntilSignalled(demo, logger: logger) }
        // The board beside the sink, on the workers' ports: it ends with their ends of stream (the
        // last table stays on screen), or on q, which stops the demo.
        let endpoints = (0..<workers).map {
            Endpoint(parsing: ">tcp://127.0.0.1:\(basePort + 2 + $0)", defaultMode: .connect)
        }
        let view = BoardService(
            configuration: BoardConfiguration(
                endpoints: endpoints, sockets: try settings.sockets(), products: nil, interval: .milliseconds(250),
                exitAfterEnds: workers),
            logger: logger)
        try await runUntilSignalled([demo, view], logger: logger)
    }
}
