import CoinbaseFeed
import SyntheticFeed
import Testing

/// The realistic profile against the figures measured on a real Advanced Trade recording of
/// BTC-USD and ETH-USD (docs/PERFORMANCE.md, "The traffic"), in both formats, measured from the
/// generated frames by `TrafficStatistics` rather than from the generator's own bookkeeping.
@Suite struct TrafficProfileTests {
    static func statistics(_ feed: CoinbaseFeedKind, profile: TrafficProfile, updates: Int) -> TrafficStatistics {
        var configuration = FeedGeneratorConfiguration()
        configuration.feed = feed
        configuration.profile = profile
        configuration.updates = updates
        var generator = FeedGenerator(configuration: configuration)
        return TrafficStatistics(frames: generator.frames())
    }

    @Test(arguments: CoinbaseFeedKind.allCases)
    func realisticProfileHasCoinbasesShape(feed: CoinbaseFeedKind) {
        let statistics = Self.statistics(feed, profile: .realistic, updates: 4_000)
        typealias S = TrafficStatistics
        // Depths: the recorded books, cycled over the three products.
        #expect(statistics.snapshotDepths["BTC-USD"]! == (18_700, 27_200))
        #expect(statistics.snapshotDepths["ETH-USD"]! == (6_900, 16_400))
        #expect(statistics.snapshotDepths["SOL-USD"]! == (18_700, 27_200))
        // Changes per message: mean 6.3, median 5, p90 14, max 60.
        let mean = Double(statistics.changes) / Double(statistics.changesPerMessage.count)
        #expect((5.7...6.9).contains(mean), "mean \(mean)")
        #expect(S.percentile(statistics.changesPerMessage, 0.5) == 5)
        #expect((13...15).contains(S.percentile(statistics.changesPerMessage, 0.9)))
        #expect(statistics.changesPerMessage.max()! <= 60)
        // Mix: inserts ~24%, deletes ~24%, size changes ~52%.
        let total = Double(statistics.changes)
        #expect(abs(Double(statistics.inserts) / total - 0.24) < 0.02)
        #expect(abs(Double(statistics.deletes) / total - 0.24) < 0.02)
        #expect(abs(Double(statistics.sizeChanges) / total - 0.52) < 0.02)
        #expect(statistics.absentDeletes == 0)
        // Depth of inserts and deletes: p25 28, median 111, p75 ~1,000, p90 ~3,100, p95 ~9,000,
        // ~23% within 10 levels; of size changes: median ~130, p90 ~320. Within 15%.
        let ranks = statistics.insertDeleteRanks
        func near(_ value: Int, _ target: Int) -> Bool { abs(Double(value - target)) <= 0.15 * Double(target) }
        #expect(near(S.percentile(ranks, 0.25), 28), "p25 \(S.percentile(ranks, 0.25))")
        #expect(near(S.percentile(ranks, 0.5), 111), "median \(S.percentile(ranks, 0.5))")
        #expect(near(S.percentile(ranks, 0.75), 1_000), "p75 \(S.percentile(ranks, 0.75))")
        #expect(near(S.percentile(ranks, 0.9), 3_100), "p90 \(S.percentile(ranks, 0.9))")
        #expect(near(S.percentile(ranks, 0.95), 9_000), "p95 \(S.percentile(ranks, 0.95))")
        #expect(abs(S.share(ranks, below: 10) - 0.23) < 0.03, "within 10: \(S.share(ranks, below: 10))")
        #expect(near(S.percentile(statistics.sizeChangeRanks, 0.5), 130))
        #expect(near(S.percentile(statistics.sizeChangeRanks, 0.9), 320))
        // A touch that moves, a book that never crosses.
        #expect(statistics.touchMoves > statistics.changesPerMessage.count / 20)
        #expect(statistics.crossedMessages == 0)
    }

    @Test func touchProfileStaysNextToTheTouch() {
        let statistics = Self.statistics(.exchange, profile: .touch, updates: 20_000)
        #expect(statistics.snapshotDepths["BTC-USD"]! == (1_000, 1_000))
        #expect(statistics.changesPerMessage.allSatisfy { $0 >= 1 && $0 <= 2 })
        #expect(TrafficStatistics.percentile(statistics.insertDeleteRanks + statistics.sizeChangeRanks, 0.9) < 20)
        #expect(statistics.crossedMessages == 0)
    }

    @Test func sameSeedSameBytes() {
        func frames(_ configuration: FeedGeneratorConfiguration) -> [[UInt8]] {
            var generator = FeedGenerator(configuration: configuration)
            return generator.frames()
        }
        var configuration = FeedGeneratorConfiguration()
        configuration.updates = 500
        var reseeded = configuration
        reseeded.seed = 2
        #expect(frames(configuration) == frames(configuration))
        #expect(frames(configuration) != frames(reseeded))
    }
}
