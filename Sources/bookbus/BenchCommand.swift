import ArgumentParser
import BookBusBench
import CoinbaseFeed
import Foundation
import SyntheticFeed

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the hot path, snapshot loads, the process pipeline, latency and memory; print a table.",
        discussion: "Build with -c release first. Every run also checks its results against a reference computation.")

    @Option(help: "Traffic profiles to measure, comma-separated, in order: realistic, touch.")
    var profiles: String = "realistic,touch"

    @Option(help: "Generated updates for the single-core hot path, per feed and profile.")
    var hotPathUpdates: Int = 200_000

    @Option(help: "Generated updates replayed through the process pipeline, touch profile.")
    var pipelineUpdates: Int = 1_000_000

    @Option(help: "The same for the realistic profile (each of its messages carries ~6 changes).")
    var realisticPipelineUpdates: Int = 200_000

    @Option(help: "Pipeline runs, each followed by a bare libzmq pass; the table shows the medians.")
    var pipelineRepeats: Int = 3

    @Option(help: "Offered rates for the latency runs, messages per second, comma-separated.")
    var rates: String = "1000,10000,100000"

    @Option(
        help:
            "Seconds of updates per latency rate; they start 1 s after the snapshots, once the books are loaded."
    )
    var latencySeconds: Double = 10

    @Option(
        help:
            "Hold the CPUs' idle wake-up limit (/dev/cpu_dma_latency, needs root) at this many µs during the latency runs, as tuned's latency-performance profile does (default: the machine's own policy)."
    )
    var idleLatencyUs: Int32?

    @Option(help: "A recording whose first line is a real Exchange snapshot.")
    var snapshotRecording: String = "data/exchange-level2-2022-btc-eth.jsonl"

    @Option(help: "Seed of the feed generator.")
    var seed: UInt64 = 1

    @Option(
        help:
            "The Python reference book run beside each pipeline (skipped, with a note, without Python, sortedcontainers or orjson)."
    )
    var referenceScript: String = "scripts/reference_book.py"

    @Option(help: "Only these parts, comma-separated: hot-path, snapshots, pipeline, latency, memory (default: all).")
    var only: String?

    func validate() throws {
        for profile in commaSeparated(profiles) ?? [] where TrafficProfile(rawValue: profile) == nil {
            throw ValidationError("--profiles: \(profile) is not realistic or touch")
        }
        guard hotPathUpdates > 0, pipelineUpdates > 0, realisticPipelineUpdates > 0, pipelineRepeats > 0,
            latencySeconds > 0
        else {
            throw ValidationError("update counts, --pipeline-repeats and --latency-seconds must be positive")
        }
        guard (idleLatencyUs ?? 0) >= 0 else {
            throw ValidationError("--idle-latency-us is a number of microseconds, 0 or more")
        }
        guard (commaSeparated(rates) ?? []).allSatisfy({ (Double($0) ?? 0) > 0 }) else {
            throw ValidationError("--rates must be positive numbers, e.g. 1000,10000")
        }
        for part in commaSeparated(only) ?? [] where BenchSection(rawValue: part) == nil {
            throw ValidationError(
                "--only: \(part) is not one of \(BenchSection.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() async throws {
        var configuration = BenchConfiguration(
            executable: Bundle.main.executablePath ?? CommandLine.arguments[0], realSnapshotRecording: snapshotRecording
        )
        configuration.hotPathUpdates = hotPathUpdates
        configuration.pipelineUpdates = [.touch: pipelineUpdates, .realistic: realisticPipelineUpdates]
        configuration.profiles = (commaSeparated(profiles) ?? []).compactMap(TrafficProfile.init(rawValue:))
        configuration.pipelineRepeats = pipelineRepeats
        configuration.latencyRates = (commaSeparated(rates) ?? []).compactMap(Double.init)
        configuration.latencySeconds = latencySeconds
        configuration.idleLatencyMicroseconds = idleLatencyUs
        configuration.seed = seed
        configuration.referenceScript = referenceScript
        if let parts = commaSeparated(only) {
            configuration.sections = Set(parts.compactMap(BenchSection.init(rawValue:)))
        }
        try await BenchRunner(configuration: configuration) { line in Swift.print(line) }.run()
    }
}

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write seeded synthetic Coinbase level-2 traffic (JSON Lines, one frame per line) to stdout.",
        discussion: """
            The realistic profile (the default) is shaped like Coinbase's feed: books of the recorded \
            depths (18.7 k / 27.2 k and 6.9 k / 16.4 k levels a side), 6.3 changes per message on \
            average, most tens to thousands of levels from the touch. The touch profile is the \
            textbook's: 1,000 levels a side, changes next to the touch.
            """)

    @Option(help: "exchange or advanced-trade.")
    var feed: String = "exchange"

    @Option(help: "realistic or touch.")
    var profile: TrafficProfile = .realistic

    @Option(help: "Products, comma-separated.")
    var products: String = "BTC-USD,ETH-USD,SOL-USD"

    @Option(help: "Levels per side in each opening snapshot (default: the profile's).")
    var depth: Int?

    @Option(help: "Update messages after the snapshots.")
    var updates: Int = 100_000

    @Option(help: "Changes per update message (touch profile; default 1).")
    var changesPerMessage: Int?

    @Option(help: "Share of changes that delete a level, 0-1 (touch profile; default 0.25).")
    var deleteShare: Double?

    @Option(help: "Seed: the same seed gives the same output.")
    var seed: UInt64 = 1

    func validate() throws {
        guard CoinbaseFeedKind(rawValue: feed) != nil else {
            throw ValidationError("--feed is exchange or advanced-trade")
        }
        if profile == .realistic, changesPerMessage != nil || deleteShare != nil {
            throw ValidationError(
                "--changes-per-message and --delete-share shape the touch profile; the realistic one draws its own")
        }
        guard (depth ?? 1) > 0, updates >= 0, (changesPerMessage ?? 1) > 0, (0...1).contains(deleteShare ?? 0) else {
            throw ValidationError("--depth and --changes-per-message must be positive, --delete-share within 0-1")
        }
    }

    func run() throws {
        var settings = FeedGeneratorConfiguration()
        settings.feed = CoinbaseFeedKind(rawValue: feed)!
        settings.profile = profile
        settings.products = commaSeparated(products) ?? []
        settings.depth = depth
        settings.updates = updates
        if let changesPerMessage { settings.changesPerMessage = changesPerMessage }
        if let deleteShare { settings.deleteShare = deleteShare }
        settings.seed = seed
        var generator = FeedGenerator(configuration: settings)
        try FeedGenerator.writeJSONLines(generator.frames(), to: FileHandle.standardOutput)
    }
}

extension TrafficProfile: ExpressibleByArgument {}
