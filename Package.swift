// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "BookBus",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "bookbus", targets: ["bookbus"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/swift-websocket.git", from: "1.6.2"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0", traits: ["YAML"]),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/swiftlang/swift-subprocess.git", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.8.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
    ],
    targets: [
        // Debian's libzmq (apt: libzmq3-dev, pkg-config: libzmq).
        .systemLibrary(
            name: "CZeroMQ",
            pkgConfig: "libzmq",
            providers: [.apt(["libzmq3-dev"])]
        ),
        // A thin, typed Swift wrapper over libzmq: context, sockets, options, multipart, poll.
        .target(name: "ZeroMQ", dependencies: ["CZeroMQ"]),
        // Exact decimals and the price-level order book.
        .target(
            name: "OrderBook",
            // The book's binary searches are written to pick each half with a conditional move;
            // LLVM's x86 pass that turns such moves in loops back into branches made them
            // mispredict on every other step of a search through a deep book.
            swiftSettings: [.unsafeFlags(["-Xllvm", "-x86-cmov-converter=false"])]
        ),
        // Coinbase message parsing (Exchange and Advanced Trade), recordings, the WebSocket session.
        .target(
            name: "CoinbaseFeed",
            dependencies: [
                "OrderBook", "BusProtocol",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "WSClient", package: "swift-websocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The bus wire protocol: topics, frame header, event encoding.
        .target(name: "BusProtocol", dependencies: ["OrderBook"]),
        // Each role's logic as I/O-free state machines: the product book, the worker's clone client,
        // statistics. The daemons wire these to sockets, clocks and files.
        .target(
            name: "BookBusCore",
            dependencies: [
                "OrderBook", "CoinbaseFeed", "BusProtocol",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        // The long-running roles wired to sockets, clocks and files (ingest, worker, relay, sink), and
        // each role's configuration from the settings.
        .target(
            name: "BookBusDaemons",
            dependencies: [
                "ZeroMQ", "OrderBook", "CoinbaseFeed", "BusProtocol", "BookBusCore", "BookBusSettings",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            // Each daemon is a class holding its core, used from its one thread: Swift's run-time
            // check of every access to a class's stored property (swift_beginAccess) was the ingest's
            // top cost per message. The compile-time checks stay.
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"])]
        ),
        // The configuration model: every setting of every role, read from Config/*.yaml, the
        // environment and flags (swift-configuration), with provenance and strict key checking.
        .target(
            name: "BookBusSettings",
            dependencies: [
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // Seeded synthetic Coinbase traffic: `bookbus generate`, the benchmark's input, test fixtures.
        .target(name: "SyntheticFeed", dependencies: ["CoinbaseFeed"]),
        // Runs roles as child processes: the demo's topology and the pipeline benchmark's.
        .target(
            name: "BookBusSupervisor",
            dependencies: [
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The benchmarks behind `bookbus bench`.
        .target(
            name: "BookBusBench",
            dependencies: [
                "OrderBook", "CoinbaseFeed", "BusProtocol", "ZeroMQ", "BookBusCore", "SyntheticFeed",
                "BookBusSupervisor",
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        // The command-line front end.
        .executableTarget(
            name: "bookbus",
            dependencies: [
                "BookBusCore", "BookBusDaemons", "BookBusBench", "BookBusSettings", "BookBusSupervisor",
                "CoinbaseFeed", "BusProtocol", "OrderBook", "SyntheticFeed", "ZeroMQ",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "BookBusTests",
            dependencies: [
                "OrderBook", "CoinbaseFeed", "BusProtocol", "ZeroMQ", "BookBusCore", "BookBusDaemons",
                "BookBusSettings", "BookBusBench",
                "SyntheticFeed",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Tests/BookBusTests"
        ),
    ]
)
