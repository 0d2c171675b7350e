import BookBusCore
import Testing

/// The pacing the ingest's replay and the benchmark's relay-hop floor share.
@Suite struct ReplayPacingTests {
    private let now = ContinuousClock.now

    @Test func aMessageDueWithinTheEarlinessGoesOutNow() {
        for early in [Duration.zero, .microseconds(20), ReplayPacing.earliness] {
            #expect(ReplayPacing.isDue(now + early, now: now))
            #expect(ReplayPacing.sleep(until: now + early, now: now) == nil)
        }
        #expect(ReplayPacing.sleep(until: now - .milliseconds(3), now: now) == nil)
    }

    @Test func aLaterMessageSleepsUntilTheEarlinessBeforeItsTime() {
        #expect(!ReplayPacing.isDue(now + .microseconds(51), now: now))
        #expect(ReplayPacing.sleep(until: now + .microseconds(130), now: now) == .microseconds(80))
        #expect(ReplayPacing.sleep(until: now + .milliseconds(2), now: now) == .microseconds(1_950))
    }

    @Test func noSleepIsLongerThanTheLongest() {
        #expect(ReplayPacing.sleep(until: now + .seconds(60), now: now) == ReplayPacing.longestSleep)
        #expect(ReplayPacing.longestSleep == .milliseconds(5))
    }
}
