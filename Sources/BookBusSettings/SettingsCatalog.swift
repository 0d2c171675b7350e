/// Every BookBus setting. The YAML files in `Config/`, the `BOOKBUS_*` environment variables and
/// the command-line flags all set these keys; README's configuration table lists the same.
public enum SettingsCatalog {
    /// Settings every role reads.
    public enum Common {
        public static let logLevel = Setting<String>(
            "log.level", default: "info", flag: "--log-level",
            choices: ["trace", "debug", "info", "notice", "warning", "error", "critical"],
            "Log level (logs go to standard error).")
        public static let healthFile = OptionalSetting<String>(
            "health.file", flag: "--health-file",
            "Touched every second while the role's main loop runs; `bookbus health` checks it (container HEALTHCHECK).")
        public static let statsFile = OptionalSetting<String>(
            "stats.file", flag: "--stats-file",
            "The role's statistics as JSON, rewritten every second while it runs and once more when it stops.")
        public static let metricsListen = OptionalSetting<String>(
            "metrics.listen", flag: "--metrics-listen",
            "Serve Prometheus /metrics, /health and /ready over HTTP here, host:port (e.g. 0.0.0.0:9100; port 0 picks a free one). Off unless set."
        )
        public static let highWaterMark = Setting<Int>(
            "bus.hwm", default: 25_000, flag: "--hwm", minimum: 1,
            "ZeroMQ high-water mark: bus messages queued per peer before dropping (or waiting, when lossless); a batch counts once."
        )
        public static let socketBufferBytes = Setting<Int>(
            "bus.socket_buffer_bytes", default: 0, flag: "--socket-buffer", minimum: 0,
            "Kernel buffer of each bus TCP connection, bytes (send side on publishers, receive side on subscribers); 0 keeps the OS's autotuned one. A small one bounds what a stalled subscriber still has to work through after it wakes: it meets the loss at once and resynchronises instead of processing seconds-old messages."
        )
        public static let lingerMilliseconds = Setting<Int>(
            "bus.linger_ms", default: 2_000, flag: "--linger-ms", minimum: 0,
            "Milliseconds a closing socket may spend delivering what is still queued; after an end of stream, the longest a publisher waits for its subscribers to take it and leave."
        )
    }

    /// CURVE encryption and authentication of every bus socket.
    public enum Curve {
        public static let keyFile = OptionalSetting<String>(
            "curve.key_file", flag: "--curve-key",
            "This process's key pair file (from bookbus keygen). Turns CURVE on for every socket.")
        public static let key = OptionalSetting<String>(
            "curve.key", secret: true, "This process's key pair, the file's text (instead of curve.key_file).")
        public static let serverKeyFile = OptionalSetting<String>(
            "curve.server_key_file", flag: "--curve-server-key",
            "The public key file of the servers this process connects to.")
        public static let serverKey = OptionalSetting<String>(
            "curve.server_key", "The servers' public key, Z85 text (instead of curve.server_key_file).")
        public static let allow = OptionalSetting<String>(
            "curve.allow", flag: "--curve-allow",
            "Allowed client public keys: a file (one per line) or a directory of *.pub files.")
        public static let allowedKeys = OptionalSetting<[String]>(
            "curve.allowed_keys", "Allowed client public keys, Z85 text (with or instead of curve.allow).")
        public static let allowAny = Setting<Bool>(
            "curve.allow_any", default: false, flag: "--curve-allow-any",
            "Let any client that knows the server's public key connect (encrypted, not authenticated).")
    }

    /// The ingest daemon.
    public enum Ingest {
        public static let mode = Setting<String>(
            "ingest.mode", default: "live", flag: "--live / --replay", choices: ["live", "replay"],
            "live: connect to Coinbase; replay: publish ingest.recording.")
        public static let recording = OptionalSetting<String>(
            "ingest.recording", flag: "--replay",
            "The recording to replay: JSON Lines, one raw frame per line, or {\"ts\": <unix seconds>, \"raw\": \"<frame>\"} per line."
        )
        public static let speed = Setting<Double>(
            "ingest.speed", default: 0, flag: "--speed", minimum: 0,
            "Replay speed: 0 as fast as possible, otherwise the recorded pace × this (timed recordings).")
        public static let replayClock = Setting<String>(
            "ingest.replay_clock", default: "now", flag: "--replay-clock", choices: ["now", "recorded"],
            "The receive time a replayed message carries: now (when replayed) or recorded (a timed recording's, to the microsecond, so intervals cut the same at any speed)."
        )
        public static let rate = Setting<Double>(
            "ingest.rate", default: 0, flag: "--rate", minimum: 0,
            "Replay at this many messages per second instead (0: off).")
        public static let feed = Setting<String>(
            "ingest.feed", default: "advanced-trade", flag: "--feed", choices: ["advanced-trade", "exchange"],
            "Live feed: advanced-trade (level2, market_trades, heartbeats) or exchange (see ingest.exchange_channel).")
        public static let exchangeChannel = Setting<String>(
            "ingest.exchange_channel", default: "level2_batch", flag: "--exchange-channel",
            choices: ["level2_batch", "level2"],
            "Exchange feed channel: level2_batch (public) or level2 (needs BOOKBUS_COINBASE_API_KEY/SECRET/PASSPHRASE)."
        )
        public static let trades = Setting<Bool>(
            "ingest.trades", default: true, flag: "--no-trades",
            "Live: also subscribe to trades (matches on exchange, market_trades on advanced-trade), published raw on the product's topic."
        )
        public static let url = OptionalSetting<String>(
            "ingest.url", flag: "--url",
            "Live WebSocket URL (default: the feed's Coinbase endpoint); ws://127.0.0.1:PORT for a local server.")
        public static let products = Setting<[String]>(
            "ingest.products", default: ["BTC-USD", "ETH-USD"], flag: "--products", "Live products.")
        public static let maxFrameBytes = Setting<Int>(
            "ingest.max_frame_bytes", default: 64 << 20, flag: "--max-frame-bytes", minimum: 1,
            "Largest WebSocket message (and bus message, for subscribers) accepted, in bytes; a BTC-USD snapshot is one ~5 MB message."
        )
        public static let productsPerConnection = Setting<Int>(
            "ingest.products_per_connection", default: 10, flag: "--products-per-connection", minimum: 1,
            "At most this many products per WebSocket connection; more products open more connections.")
        public static let silenceTimeout = Setting<Double>(
            "ingest.silence_timeout", default: 10, flag: "--silence-timeout", minimum: 0.001,
            "Seconds without any message (heartbeats included) before a live connection is renewed.")
        public static let staleAfter = Setting<Double>(
            "ingest.stale_after", default: 60, flag: "--stale-after", minimum: 0,
            "Seconds without a book update for one product, while its connection delivers the others, before it is marked stale and its subscription renewed (0: never)."
        )
        public static let publish = Setting<String>(
            "ingest.publish", default: "@tcp://*:5555", flag: "--publish",
            "Where to publish: @tcp://*:5555 binds, >tcp://host:port connects; a bare endpoint binds.")
        public static let snapshots = Setting<String>(
            "ingest.snapshots", default: "@tcp://*:5560", flag: "--snapshots",
            "Where the snapshot and worker-group service (ROUTER) listens; none disables it.")
        public static let groupExpiry = Setting<Double>(
            "ingest.group_expiry", default: 3, flag: "--group-expiry", minimum: 0.001,
            "Seconds after which a silent worker-group member is expired and its products reassigned.")
        public static let lossless = OptionalSetting<Bool>(
            "ingest.lossless", flag: "--lossless / --no-lossless",
            "Wait for slow subscribers instead of dropping (unset: on for replay, off for live).")
        public static let waitForSubscribers = Setting<Int>(
            "ingest.wait_for_subscribers", default: 0, flag: "--wait-for-subscribers", minimum: 0,
            "Publish nothing until this many BookBus subscribers are connected.")
        public static let progress = Setting<Bool>(
            "ingest.progress", default: true, flag: "--no-progress",
            "Show a replay's progress (messages, rate, share read, time left) on standard error when it is a terminal.")
        public static let maxBatch = Setting<Int>(
            "ingest.max_batch", default: 64, flag: "--max-batch", minimum: 1,
            "Most messages of one product sent as one bus message when several are at hand at once (1: one each).")
        public static let name = OptionalSetting<String>(
            "ingest.name", flag: "--name", "Name in logs and end-of-stream messages (default ingest-<pid>).")
        public static let recordDirectory = OptionalSetting<String>(
            "ingest.record", flag: "--record",
            "Write every received frame with its receive time to timed recordings in this directory.")
        public static let recordRotateSeconds = Setting<Double>(
            "ingest.record_rotate_seconds", default: 3_600, flag: "--record-rotate-seconds", minimum: 1,
            "Start a new recording file after this many seconds.")
        public static let recordRotateBytes = Setting<Int>(
            "ingest.record_rotate_bytes", default: 256 << 20, flag: "--record-rotate-bytes", minimum: 1,
            "Start a new recording file once the current one reaches this many bytes.")
    }

    /// Coinbase credentials: environment only, never printed or logged.
    public enum Coinbase {
        public static let apiKey = OptionalSetting<String>(
            "coinbase.api_key", secret: true, "Exchange API key (for ingest.exchange_channel level2).")
        public static let apiSecret = OptionalSetting<String>(
            "coinbase.api_secret", secret: true, "Exchange API secret, base64 as Coinbase issues it.")
        public static let apiPassphrase = OptionalSetting<String>(
            "coinbase.api_passphrase", secret: true, "Exchange API passphrase.")
        public static let jwtKeyName = OptionalSetting<String>(
            "coinbase.jwt_key_name", secret: true,
            "Advanced Trade: CDP API key name (organizations/…/apiKeys/…); with the private key, subscribes with a JWT."
        )
        public static let jwtPrivateKey = OptionalSetting<String>(
            "coinbase.jwt_private_key", secret: true, "Advanced Trade: the CDP API key's EC private key, PEM.")
    }

    /// The book worker.
    public enum Worker {
        public static let ingest = Setting<[String]>(
            "worker.ingest", default: [">tcp://127.0.0.1:5555"], flag: "--ingest",
            "Ingest endpoints to subscribe to: >tcp://host:port connects (the default), @... binds.")
        public static let snapshots = Setting<[String]>(
            "worker.snapshots", default: [">tcp://127.0.0.1:5560"], flag: "--snapshots",
            "The ingest's snapshot service endpoints; [none]: wait for snapshots on the stream.")
        public static let resyncBuffer = Setting<Int>(
            "worker.resync_buffer", default: 100_000, flag: "--resync-buffer", minimum: 1,
            "Messages kept per product while it waits for a snapshot (then the oldest half is dropped and the snapshot must cover them)."
        )
        public static let publish = Setting<String>(
            "worker.publish", default: "@tcp://*:5556", flag: "--publish",
            "Where to publish events: @tcp://*:5556 binds (the default for a bare endpoint), >... connects.")
        public static let products = OptionalSetting<[String]>(
            "worker.products", flag: "--products", "Keep exactly these products.")
        public static let shard = OptionalSetting<String>(
            "worker.shard", flag: "--shard",
            "Keep shard i of n (e.g. 0/2). Without worker.shard or worker.products the worker joins the ingest's group."
        )
        public static let allProducts = OptionalSetting<[String]>(
            "worker.all_products", flag: "--all-products",
            "With worker.shard: the full product list, so the worker subscribes to its own topics only; without it the worker subscribes to parsed/ and keeps what its shard owns."
        )
        public static let emit = Setting<String>(
            "worker.emit", default: "change", flag: "--emit", choices: ["change", "every-message"],
            "change: a top-of-book event when best bid/ask price or size changed, a spread event when the spread changed; every-message: both after every book message."
        )
        public static let streams = Setting<[String]>(
            "worker.streams", default: ["tob", "spread"], flag: "--streams",
            choices: ["tob", "spread", "depth", "analytics", "trade", "bar"],
            "Event streams to publish: tob, spread, depth (worker.depth_levels), analytics (worker.analytics_*), trade, bar (worker.bar_intervals)."
        )
        public static let depthLevels = Setting<Int>(
            "worker.depth_levels", default: 10, flag: "--depth-levels", minimum: 1,
            "Levels a side in depth events.")
        public static let analyticsImbalanceLevels = Setting<Int>(
            "worker.analytics_imbalance_levels", default: 5, flag: "--analytics-imbalance-levels", minimum: 1,
            "Levels a side the analytics' imbalance sums.")
        public static let analyticsBands = Setting<[String]>(
            "worker.analytics_bands_bps", default: ["10", "50"], flag: "--analytics-bands-bps",
            "Analytics: report the size resting within each of these distances from the mid, in basis points.")
        public static let analyticsSizes = Setting<[String]>(
            "worker.analytics_sizes", default: [], flag: "--analytics-sizes",
            "Analytics: the average price and slippage of a market buy and sell of each size (base currency).")
        public static let analyticsNotionals = Setting<[String]>(
            "worker.analytics_notionals", default: ["1000"], flag: "--analytics-notionals",
            "Analytics: the average price and slippage of a market buy and sell of each notional (quote currency).")
        public static let intervalMilliseconds = Setting<Int>(
            "worker.interval_ms", default: 0, flag: "--interval-ms", minimum: 0,
            "Conflate the book streams (tob, spread, depth, analytics): at most one event per product per interval of this many ms, aligned to multiples of it on the ingest's receive clock (0: on every change)."
        )
        public static let repeatUnchanged = Setting<Bool>(
            "worker.repeat_unchanged", default: false, flag: "--repeat-unchanged",
            "With worker.interval_ms: publish every interval's events, even when the book shows what the last ones showed."
        )
        public static let barIntervals = Setting<[String]>(
            "worker.bar_intervals", default: ["1m"], flag: "--bar-intervals",
            "Bar intervals, e.g. 1s,1m,1h (units ms, s, m, h), for the bar stream.")
        public static let lossless = Setting<Bool>(
            "worker.lossless", default: false, flag: "--lossless", "Wait for slow subscribers instead of dropping.")
        public static let waitForSubscribers = Setting<Int>(
            "worker.wait_for_subscribers", default: 0, flag: "--wait-for-subscribers", minimum: 0,
            "Before subscribing to the ingest, wait until this many BookBus subscribers are connected.")
        public static let exitOnEnd = Setting<Bool>(
            "worker.exit_on_end", default: false, flag: "--exit-on-end",
            "Exit after passing on the ingest's end of stream (replays).")
        public static let name = OptionalSetting<String>(
            "worker.name", flag: "--name",
            "Name in logs, events and end-of-stream messages, and the group member id, so unique per worker (default worker-<host>-<pid>)."
        )
    }

    /// The relay.
    public enum Relay {
        public static let frontend = Setting<String>(
            "relay.frontend", default: "@tcp://*:5570", flag: "--frontend",
            "Where publishers (workers) connect with --publish >tcp://relay:PORT; a bare endpoint binds.")
        public static let backend = Setting<String>(
            "relay.backend", default: "@tcp://*:5571", flag: "--backend",
            "Where subscribers (sinks, your own clients) connect; a bare endpoint binds.")
    }

    /// The sink.
    public enum Sink {
        public static let connect = Setting<[String]>(
            "sink.connect", default: [">tcp://127.0.0.1:5556"], flag: "--connect",
            "Event endpoints to subscribe to: >tcp://host:port connects (the default), @... binds.")
        public static let events = Setting<[String]>(
            "sink.events", default: ["spread"], flag: "--events",
            choices: ["spread", "tob", "depth", "analytics", "trade", "bar"],
            "Event families.")
        public static let products = OptionalSetting<[String]>(
            "sink.products", flag: "--products", "Only these products (default: all).")
        public static let format = Setting<String>(
            "sink.format", default: "text", flag: "--format", choices: ["text", "json"],
            "Output format: text (one readable line per event) or json (the event payload, one per line).")
        public static let log = OptionalSetting<String>(
            "sink.log", flag: "--log",
            "Also append every line to this file (whole lines only; a partial last line from a crash is removed).")
        public static let quiet = Setting<Bool>(
            "sink.quiet", default: false, flag: "--quiet", "Do not print events to standard output.")
        public static let minSpreadBasisPoints = OptionalSetting<String>(
            "sink.min_spread_bps", flag: "--min-spread-bps",
            "Keep only events with spread × 10000 ≥ this × mid (exact; events with an empty side never pass).")
        public static let latencyReport = Setting<Bool>(
            "sink.latency_report", default: false, flag: "--latency-report",
            "Measure ingest-receive → sink-receive latency per event; print percentiles when stopping (measured whenever metrics.listen is set, too)."
        )
        public static let exitAfterEnds = Setting<Int>(
            "sink.exit_after_ends", default: 0, flag: "--exit-after-ends", minimum: 0,
            "Exit after this many publishers announced their end of stream (0: run until stopped).")
    }

    /// Every setting, in documentation order.
    public static let all: [SettingDefinition] = [
        Common.logLevel.definition, Common.healthFile.definition, Common.statsFile.definition,
        Common.metricsListen.definition, Common.highWaterMark.definition,
        Common.socketBufferBytes.definition, Common.lingerMilliseconds.definition,
        Curve.keyFile.definition, Curve.key.definition, Curve.serverKeyFile.definition, Curve.serverKey.definition,
        Curve.allow.definition, Curve.allowedKeys.definition, Curve.allowAny.definition,
        Ingest.mode.definition, Ingest.recording.definition, Ingest.speed.definition, Ingest.replayClock.definition,
        Ingest.rate.definition,
        Ingest.feed.definition, Ingest.exchangeChannel.definition, Ingest.trades.definition, Ingest.url.definition,
        Ingest.products.definition,
        Ingest.maxFrameBytes.definition, Ingest.productsPerConnection.definition, Ingest.silenceTimeout.definition,
        Ingest.staleAfter.definition,
        Ingest.publish.definition, Ingest.snapshots.definition, Ingest.groupExpiry.definition,
        Ingest.lossless.definition, Ingest.waitForSubscribers.definition, Ingest.progress.definition,
        Ingest.maxBatch.definition,
        Ingest.name.definition,
        Ingest.recordDirectory.definition, Ingest.recordRotateSeconds.definition, Ingest.recordRotateBytes.definition,
        Coinbase.apiKey.definition, Coinbase.apiSecret.definition, Coinbase.apiPassphrase.definition,
        Coinbase.jwtKeyName.definition, Coinbase.jwtPrivateKey.definition,
        Worker.ingest.definition, Worker.snapshots.definition, Worker.resyncBuffer.definition,
        Worker.publish.definition, Worker.products.definition, Worker.shard.definition, Worker.allProducts.definition,
        Worker.emit.definition, Worker.streams.definition, Worker.depthLevels.definition,
        Worker.analyticsImbalanceLevels.definition, Worker.analyticsBands.definition, Worker.analyticsSizes.definition,
        Worker.analyticsNotionals.definition,
        Worker.intervalMilliseconds.definition, Worker.repeatUnchanged.definition, Worker.barIntervals.definition,
        Worker.lossless.definition, Worker.waitForSubscribers.definition,
        Worker.exitOnEnd.definition, Worker.name.definition,
        Relay.frontend.definition, Relay.backend.definition,
        Sink.connect.definition, Sink.events.definition, Sink.products.definition, Sink.format.definition,
        Sink.log.definition, Sink.quiet.definition, Sink.minSpreadBasisPoints.definition,
        Sink.latencyReport.definition, Sink.exitAfterEnds.definition,
    ]

    /// The definition of `key`, if BookBus has that setting.
    public static func definition(forKey key: String) -> SettingDefinition? { byKey[key] }

    /// The sections a role reads: its own and the shared ones.
    public static func sections(forRole role: String) -> Set<String> {
        var sections: Set<String> = ["log", "health", "stats", "bus", "curve"]
        sections.insert(role)
        if role == "ingest" { sections.insert("coinbase") }
        return sections
    }

    private static let byKey = Dictionary(uniqueKeysWithValues: all.map { ($0.key, $0) })
}
