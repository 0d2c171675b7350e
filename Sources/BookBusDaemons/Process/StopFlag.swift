import Synchronization

/// A one-way "please stop" flag, set from async code and polled by a socket thread.
public final class StopFlag: Sendable {
    private let requested = Atomic<Bool>(false)

    public init() {}

    /// Asks the loop to stop at its next check.
    public func request() {
        requested.store(true, ordering: .releasing)
    }

    /// True once ``request()`` was called.
    public var isRequested: Bool {
        requested.load(ordering: .acquiring)
    }
}
