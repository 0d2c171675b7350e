public import BookBusSettings
import CoinbaseFeed
import Foundation

extension IngestConfiguration {
    /// The ingest's configuration from its effective settings (credentials aside).
    public init(settings: EffectiveSettings) throws {
        typealias Ingest = SettingsCatalog.Ingest
        let isReplay = settings[Ingest.mode] == "replay"
        let source: IngestSource
        if isReplay {
            guard let recording = settings[Ingest.recording] else {
                throw settings.invalid(Ingest.mode.definition, "replay needs ingest.recording (or --replay PATH)")
            }
            source = .replay(
                path: recording, speed: settings[Ingest.speed], rate: settings[Ingest.rate],
                clock: try settings.choice(Ingest.replayClock, as: ReplayClock.self))
        } else {
            for product in settings[Ingest.products] where !ProductID.isValid(product) {
                throw settings.invalid(
                    Ingest.products.definition, "product \(product) is not 1-64 characters of [A-Za-z0-9._-]")
            }
            let feed = try settings.choice(Ingest.feed, as: CoinbaseFeedKind.self)
            let channel = try settings.choice(Ingest.exchangeChannel, as: ExchangeChannel.self)
            if channel == .level2 && feed != .exchange {
                throw settings.invalid(Ingest.exchangeChannel.definition, "level2 here needs ingest.feed exchange")
            }
            var live = WebSocketFeedConfiguration(
                feed: feed, url: settings[Ingest.url], products: settings[Ingest.products],
                maxFrameBytes: settings[Ingest.maxFrameBytes],
                silenceTimeout: .milliseconds(Int64(settings[Ingest.silenceTimeout] * 1000)))
            live.exchangeChannel = channel
            live.trades = settings[Ingest.trades]
            live.credentials = try CoinbaseCredentials(settings: settings)
            try live.subscription.validate()
            source = .live(live, productsPerConnection: settings[Ingest.productsPerConnection])
        }
        self.init(
            source: source, publish: Endpoint(parsing: settings[Ingest.publish], defaultMode: .bind),
            lossless: settings[Ingest.lossless] ?? isReplay, name: settings[Ingest.name] ?? "ingest-\(getpid())")
        sockets = try settings.sockets()
        sockets.maxMessageBytes = Int64(settings[Ingest.maxFrameBytes])
        waitForSubscribers = settings[Ingest.waitForSubscribers]
        maxBatch = settings[Ingest.maxBatch]
        showsProgress = settings[Ingest.progress]
        let staleSeconds = settings[Ingest.staleAfter]
        staleAfter = staleSeconds > 0 ? .milliseconds(Int64(staleSeconds * 1000)) : nil
        let service = settings[Ingest.snapshots]
        snapshots = service == "none" ? nil : Endpoint(parsing: service, defaultMode: .bind)
        groupExpiry = .milliseconds(Int64(settings[Ingest.groupExpiry] * 1000))
        health = settings.healthFile
        stats = settings.statsFile
        metrics = try settings.metricsListen()
        if let directory = settings[Ingest.recordDirectory] {
            guard !isReplay else {
                throw settings.invalid(Ingest.recordDirectory.definition, "records live sessions; not with replay")
            }
            record = RecordingRotation(
                directory: directory, maxSeconds: settings[Ingest.recordRotateSeconds],
                maxBytes: settings[Ingest.recordRotateBytes])
        }
    }
}
