import ArgumentParser
import BookBusDaemons
import BusProtocol
import CoinbaseFeed
import Foundation

struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Keep order books for a share of the products and publish top-of-book and spread events.")

    @Option(help: "Ingest endpoint to subscribe to (repeatable): >tcp://host:port connects (the default), @... binds.")
    var ingest: [String] = [">tcp://127.0.0.1:5555"]

    @Option(
        help:
            "The ingest's snapshot service (repeatable): connects unless @...; none: wait for snapshots on the stream.")
    var snapshots: [String] = [">tcp://127.0.0.1:5560"]

    @Option(help: "Messages kept per product while it waits for a snapshot.")
    var resyncBuffer: Int = 100_000

    @Option(help: "Where to publish events: @tcp://*:5556 binds (the default for a bare endpoint), >... connects.")
    var publish: String = "@tcp://*:5556"

    @Option(help: "Keep exactly these products, comma-separated.")
    var products: String?

    @Option(
        help:
            "Keep shard i of n (e.g. 0/2): every product belongs to exactly one of the n workers. Without --shard or --products the worker joins the ingest's worker group."
    )
    var shard: String?

    @Option(help: "With --shard: the full product list, so the worker subscribes to its own topics only.")
    var allProducts: String?

    @Option(help: "When to publish: change (when top of book or spread changed) or every-message.")
    var emit: String = EmitPolicy.onChange.rawValue

    @Flag(help: "Wait for slow subscribers instead of dropping events.")
    var lossless = false

    @Option(help: "Before subscribing to the ingest, wait until this many BookBus subscribers are connected.")
    var waitForSubscribers: Int = 0

    @Flag(help: "Exit after passing on the ingest's end of stream (replays).")
    var exitOnEnd = false

    @Option(
        help: "Name in logs, events and end-of-stream messages, and the group member id (default worker-<host>-<pid>).")
    var name: String?

    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard products == nil || shard == nil else {
            throw ValidationError("choose one: --products A,B, --shard i/n, or neither to join the worker group")
        }
        if products == nil && shard == nil && snapshots.allSatisfy({ $0 == "none" }) {
            throw ValidationError(
                "the worker group is coordinated by the ingest's --snapshots service: give its endpoint")
        }
        if allProducts != nil && shard == nil { throw ValidationError("--all-products goes with --shard") }
        if let shard {
            do {
                _ = try ShardAssignment(parsing: shard)
            } catch {
                throw ValidationError("--shard: \(error)")
            }
        }
        guard resyncBuffer >= 1 else { throw ValidationError("--resync-buffer must be at least 1") }
        guard EmitPolicy(rawValue: emit) != nil else {
            throw ValidationError(
                "--emit \(emit) is not one of \(EmitPolicy.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        for product in (commaSeparated(products) ?? []) + (commaSeparated(allProducts) ?? [])
        where !ProductID.isValid(product) {
            throw ValidationError("product \(product) is not 1-64 characters of [A-Za-z0-9._-]")
        }
    }

    func run() async throws {
        let logger = try common.makeLogger(role: "worker")
        let ownership: ProductOwnership
        if let shard {
            // validate() has checked it.
            ownership = .shard(try ShardAssignment(parsing: shard), knownProducts: commaSeparated(allProducts))
        } else if let products {
            ownership = .products(commaSeparated(products) ?? [])
        } else {
            ownership = .group
        }
        var configuration = WorkerConfiguration(
            ingest: ingest.map { Endpoint(parsing: $0, defaultMode: .connect) },
            publish: Endpoint(parsing: publish, defaultMode: .bind), ownership: ownership,
            name: name ?? "worker-\(ProcessInfo.processInfo.hostName)-\(getpid())")
        configuration.emit = EmitPolicy(rawValue: emit)!
        configuration.sockets = try common.sockets()
        configuration.lossless = lossless
        configuration.waitForSubscribers = waitForSubscribers
        configuration.snapshots = snapshots.filter { $0 != "none" }.map { Endpoint(parsing: $0, defaultMode: .connect) }
        configuration.resyncBufferLimit = resyncBuffer
        configuration.exitOnEnd = exitOnEnd
        try await runUntilSignalled(WorkerService(configuration: configuration, logger: logger), logger: logger)
    }
}
