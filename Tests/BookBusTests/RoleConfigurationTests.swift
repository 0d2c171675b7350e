import BookBusCore
import BookBusDaemons
import BookBusSettings
import BusProtocol
import CoinbaseFeed
import Logging
import Testing

/// Each role's configuration from its settings (environment variables here, as a container gives
/// them): what is chosen, and what is refused with a reason.
@Suite struct RoleConfigurationTests {
    static func settings(_ environment: [String: String]) throws -> EffectiveSettings {
        try EffectiveSettings.load(file: nil, environment: environment)
    }

    @Test func aWorkerWithNeitherProductsNorShardJoinsTheGroup() throws {
        let configuration = try WorkerConfiguration(settings: Self.settings([:]))
        #expect(configuration.ownership == .group)
        #expect(configuration.emit == .onChange && configuration.resyncBufferLimit == 100_000)
    }

    @Test func aWorkerKeepsItsProductsOrItsShard() throws {
        let products = try WorkerConfiguration(settings: Self.settings(["BOOKBUS_WORKER_PRODUCTS": "BTC-USD,ETH-USD"]))
        #expect(products.ownership == .products(["BTC-USD", "ETH-USD"]))
        let shard = try WorkerConfiguration(
            settings: Self.settings([
                "BOOKBUS_WORKER_SHARD": "1/2", "BOOKBUS_WORKER_ALL_PRODUCTS": "A-USD,B-USD",
                "BOOKBUS_WORKER_EMIT": "every-message",
            ]))
        #expect(shard.ownership == .shard(try ShardAssignment(index: 1, count: 2), knownProducts: ["A-USD", "B-USD"]))
        #expect(shard.emit == .everyMessage)
    }

    /// Settings a worker refuses, and what the error says.
    @Test(arguments: [
        (["BOOKBUS_WORKER_PRODUCTS": "BTC-USD", "BOOKBUS_WORKER_SHARD": "0/2"], "choose one"),
        (["BOOKBUS_WORKER_SHARD": "2/2"], "worker.shard"),
        (["BOOKBUS_WORKER_ALL_PRODUCTS": "A-USD"], "goes with worker.shard"),
        (["BOOKBUS_WORKER_PRODUCTS": "BTC/USD"], "is not 1-64 characters"),
        (["BOOKBUS_WORKER_SNAPSHOTS": "none"], "the worker group is coordinated by the ingest's snapshot service"),
        (["BOOKBUS_WORKER_EMIT": "sometimes"], "worker.emit"),
    ])
    func aWorkerRefusesSettingsThatDoNotFit(environment: [String: String], reason: String) {
        #expect {
            _ = try WorkerConfiguration(settings: Self.settings(environment))
        } throws: { error in
            "\(error)".contains(reason)
        }
    }

    @Test func anIngestReplaysOrGoesLive() throws {
        let replay = try IngestConfiguration(
            settings: Self.settings(["BOOKBUS_INGEST_MODE": "replay", "BOOKBUS_INGEST_RECORDING": "r.jsonl"]))
        guard case .replay(let path, _, _, let clock) = replay.source else { throw Failure("not a replay") }
        #expect(path == "r.jsonl" && replay.lossless, "replays are lossless unless told otherwise")
        #expect(clock == .now)
        let live = try IngestConfiguration(
            settings: Self.settings(["BOOKBUS_INGEST_FEED": "exchange", "BOOKBUS_INGEST_PRODUCTS": "A-USD"]))
        guard case .live(let feed, _) = live.source else { throw Failure("not live") }
        #expect(feed.feed == .exchange && feed.products == ["A-USD"] && !live.lossless)
        #expect {
            _ = try IngestConfiguration(settings: Self.settings(["BOOKBUS_INGEST_MODE": "replay"]))
        } throws: { "\($0)".contains("replay needs ingest.recording") }
        #expect {
            _ = try IngestConfiguration(settings: Self.settings(["BOOKBUS_INGEST_EXCHANGE_CHANNEL": "level2"]))
        } throws: { "\($0)".contains("level2 here needs ingest.feed exchange") }
    }

    @Test func aWorkerReadsItsAnalyticsSettings() throws {
        let worker = try WorkerConfiguration(
            settings: Self.settings([
                "BOOKBUS_WORKER_PRODUCTS": "A-USD", "BOOKBUS_WORKER_STREAMS": "analytics",
                "BOOKBUS_WORKER_ANALYTICS_IMBALANCE_LEVELS": "3", "BOOKBUS_WORKER_ANALYTICS_BANDS_BPS": "2.5,100",
                "BOOKBUS_WORKER_ANALYTICS_SIZES": "0.001",
            ]))
        let analytics = try #require(worker.streams.analytics)
        #expect(analytics.imbalanceLevels == 3)
        #expect(analytics.bandsBasisPoints.map(\.description) == ["2.5", "100"])
        #expect(analytics.sizes.map(\.description) == ["0.001"] && analytics.notionals.map(\.description) == ["1000"])
        let off = try WorkerConfiguration(settings: Self.settings(["BOOKBUS_WORKER_PRODUCTS": "A-USD"]))
        #expect(off.streams.analytics == nil, "off unless asked for")
        #expect {
            _ = try WorkerConfiguration(
                settings: Self.settings([
                    "BOOKBUS_WORKER_PRODUCTS": "A-USD", "BOOKBUS_WORKER_STREAMS": "analytics",
                    "BOOKBUS_WORKER_ANALYTICS_NOTIONALS": "-5",
                ]))
        } throws: { "\($0)".contains("worker.analytics_notionals") && "\($0)".contains("-5 is not a positive decimal") }
    }

    @Test func aWorkerReadsItsStreams() throws {
        let worker = try WorkerConfiguration(
            settings: Self.settings([
                "BOOKBUS_WORKER_PRODUCTS": "A-USD", "BOOKBUS_WORKER_STREAMS": "depth,trade,bar",
                "BOOKBUS_WORKER_DEPTH_LEVELS": "5", "BOOKBUS_WORKER_INTERVAL_MS": "100",
                "BOOKBUS_WORKER_BAR_INTERVALS": "1s,5m",
            ]))
        #expect(!worker.streams.topOfBook && !worker.streams.spread && worker.streams.trades)
        #expect(worker.streams.depthLevels == 5)
        #expect(worker.streams.barIntervals.map(\.nanoseconds) == [1_000_000_000, 300_000_000_000])
        #expect(worker.streams.conflation?.interval.nanoseconds == 100_000_000)
        let plain = try WorkerConfiguration(settings: Self.settings(["BOOKBUS_WORKER_PRODUCTS": "A-USD"]))
        #expect(plain.streams == StreamSettings(), "top of book and spread on change by default")
        #expect {
            _ = try WorkerConfiguration(
                settings: Self.settings([
                    "BOOKBUS_WORKER_PRODUCTS": "A-USD", "BOOKBUS_WORKER_STREAMS": "bar",
                    "BOOKBUS_WORKER_BAR_INTERVALS": "1 minute",
                ]))
        } throws: { "\($0)".contains("worker.bar_intervals") && "\($0)".contains("is not <count><unit>") }
        #expect {
            _ = try WorkerConfiguration(
                settings: Self.settings([
                    "BOOKBUS_WORKER_PRODUCTS": "A-USD", "BOOKBUS_WORKER_INTERVAL_MS": "100",
                    "BOOKBUS_WORKER_EMIT": "every-message",
                ]))
        } throws: { "\($0)".contains("exclude each other") }
    }

    @Test func aSinkReadsItsFamiliesAndFormat() throws {
        let sink = try SinkConfiguration(
            settings: Self.settings(["BOOKBUS_SINK_EVENTS": "tob,spread", "BOOKBUS_SINK_FORMAT": "json"]))
        #expect(sink.kinds == [.topOfBook, .spread] && sink.format == .json)
    }

    /// The enum settings' choices are their types' cases, so ``EffectiveSettings/choice(_:as:)``
    /// can never refuse a value that passed the catalog.
    @Test func everyEnumSettingOffersExactlyItsTypesCases() {
        typealias Catalog = SettingsCatalog
        #expect(Catalog.Worker.emit.definition.choices == EmitPolicy.allCases.map(\.rawValue))
        #expect(Catalog.Sink.format.definition.choices == SinkFormat.allCases.map(\.rawValue))
        #expect(Catalog.Sink.events.definition.choices.map(Set.init) == Set(EventFamily.allCases.map(\.rawValue)))
        #expect(Catalog.Worker.streams.definition.choices.map(Set.init) == Set(EventFamily.allCases.map(\.rawValue)))
        #expect(Catalog.Ingest.replayClock.definition.choices == ReplayClock.allCases.map(\.rawValue))
        #expect(Catalog.Ingest.feed.definition.choices.map(Set.init) == Set(CoinbaseFeedKind.allCases.map(\.rawValue)))
        #expect(
            Catalog.Ingest.exchangeChannel.definition.choices.map(Set.init)
                == Set(ExchangeChannel.allCases.map(\.rawValue)))
        #expect(Catalog.Common.logLevel.definition.choices == Logger.Level.allCases.map(\.rawValue))
    }

    @Test func flagHelpComesFromTheCatalog() {
        #expect(
            SettingsCatalog.Worker.resyncBuffer.flagHelp
                == "\(SettingsCatalog.Worker.resyncBuffer.definition.summary) (worker.resync_buffer; default 100000)")
        #expect(SettingsCatalog.Worker.products.flagHelp.hasSuffix("(worker.products)"))
    }

    @Test func aFlagIsRecordedUnderTheNameTheCatalogGivesIt() throws {
        var flags = FlagValues()
        flags.set(SettingsCatalog.Worker.emit, "every-message")
        flags.set(SettingsCatalog.Worker.products, ["A-USD"])
        let settings = try EffectiveSettings.load(file: nil, environment: [:], flags: flags)
        #expect(settings.origin(of: SettingsCatalog.Worker.emit.definition) == .flag("--emit"))
        #expect(settings.origin(of: SettingsCatalog.Worker.products.definition) == .flag("--products"))
        #expect(try WorkerConfiguration(settings: settings).emit == .everyMessage)
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
