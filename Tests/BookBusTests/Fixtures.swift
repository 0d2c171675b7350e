import CoinbaseFeed
import Foundation
import SyntheticFeed

/// The real Coinbase recordings the tests read, and the generated traffic read beside them.
enum Fixtures {
    /// The package root, found from this file's location.
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// A recording from `../shared/data/coinbase/` (the shared, read-only originals), or the copy
    /// bundled in `data/` when the checkout has no `shared/` beside it.
    static func recording(_ name: String) -> String {
        let shared = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/data/coinbase/\(name)").path
        if FileManager.default.fileExists(atPath: shared) { return shared }
        return packageRoot.appendingPathComponent("data/\(name)").path
    }

    /// Every frame of a recording.
    static func frames(_ name: String) throws -> [[UInt8]] {
        let reader = try RecordingReader(path: recording(name))
        var frames: [[UInt8]] = []
        while let frame = try reader.next() { frames.append(frame.bytes) }
        return frames
    }

    /// The two real recordings' frames, then 3,000 generated updates in each feed format, the
    /// generator set up by `configure` (defaults: the realistic profile).
    static func recordedAndGeneratedFrames(
        configure: (inout FeedGeneratorConfiguration) -> Void = { _ in }
    ) throws -> [[UInt8]] {
        var frames = try Self.frames(tutorial) + Self.frames(tenProducts)
        for feed in CoinbaseFeedKind.allCases {
            var settings = FeedGeneratorConfiguration()
            settings.feed = feed
            settings.updates = 3_000
            configure(&settings)
            var generator = FeedGenerator(configuration: settings)
            frames += generator.frames()
        }
        return frames
    }

    static let tutorial = "exchange-level2-2022-btc-eth.jsonl"
    static let tenProducts = "exchange-level2-2021-10products.jsonl"
    static let tenProductsTimed = "exchange-level2-2021-10products.timed.jsonl"
}
