import Foundation
import Testing

@testable import BookBusBench

/// The idle wake-up limit the latency bench can hold: on the kernel's real PM QoS device where this
/// process may write it (root), and its errors on a device that is not there.
@Suite struct IdleLatencyLimitTests {
    static let deviceIsWritable = FileManager.default.isWritableFile(atPath: IdleLatencyLimit.device)

    @Test(.enabled(if: deviceIsWritable, "needs write access to /dev/cpu_dma_latency (root)"))
    func theLimitHoldsWhileTheValueLivesAndEndsWithIt() throws {
        let before = try #require(IdleLatencyLimit.current())
        do {
            let limit = try IdleLatencyLimit(microseconds: 0)
            #expect(IdleLatencyLimit.current() == 0)
            #expect(limit.microseconds == 0)
            withExtendedLifetime(limit) {}
        }
        #expect(IdleLatencyLimit.current() == before)
    }

    @Test func aMissingDeviceIsATypedErrorThatSaysWhatToDo() {
        let device = NSTemporaryDirectory() + "no-such-directory-\(getpid())/cpu_dma_latency"
        #expect(IdleLatencyLimit.current(device: device) == nil)
        do {
            _ = try IdleLatencyLimit(microseconds: 0, device: device)
            Issue.record("holding a limit on a missing device succeeded")
        } catch {
            guard case .cannotOpen(let path, let microseconds, _) = error else {
                Issue.record("expected cannotOpen, got \(error)")
                return
            }
            #expect(path == device && microseconds == 0)
            #expect(error.description.contains("leave --idle-latency-us out"))
        }
    }
}
