import BookBusCore
import Testing

@Suite struct ReplayProgressTests {
    @Test func theLineGivesCountRateShareAndTimeLeft() {
        let progress = ReplayProgress()
        #expect(
            progress.line(messages: 1_204_311, fraction: 0.375, elapsedSeconds: 3)
                == "replay: 1,204,311 messages, 401,437/s, 37%, about 5 s left")
        #expect(progress.line(messages: 999, fraction: 1, elapsedSeconds: 2) == "replay: 999 messages, 500/s, 100%")
        #expect(progress.line(messages: 0, fraction: 0, elapsedSeconds: 0) == "replay: 0 messages, 0/s, 0%")
    }
}
