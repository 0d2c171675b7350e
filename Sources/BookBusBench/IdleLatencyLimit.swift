#if canImport(Glibc)
    import Glibc
#endif

/// A limit on how long an idle CPU may take to wake, held through Linux's PM QoS device
/// `/dev/cpu_dma_latency` for as long as the value lives: what tuned's latency-performance profile
/// sets for a whole machine.
///
/// Deep idle states save power, and every wake-up from one pays its exit time. At 10 k messages a
/// second each message wakes a thread of every role in turn, so the machine's idle policy shows in
/// the latency's median and its tail. The limit is the kernel's, for every process: it ends when
/// the last holder closes the device (here, when the value is released).
public final class IdleLatencyLimit: Sendable {
    /// The kernel's device for the limit.
    public static let device = "/dev/cpu_dma_latency"

    /// The limit held, in microseconds (0: no idle state that takes any time to leave).
    public let microseconds: Int32
    private let descriptor: Int32

    /// Holds the limit at `microseconds` until this value is released.
    /// - Parameter device: the PM QoS device; another path only for tests.
    public init(microseconds: Int32, device: String = IdleLatencyLimit.device) throws(IdleLatencyLimitError) {
        let descriptor = open(device, O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw .cannotOpen(device: device, microseconds: microseconds, reason: Self.lastError())
        }
        // The kernel takes a binary 32-bit value, and holds it while the descriptor stays open.
        var value = microseconds
        let written = withUnsafeBytes(of: &value) { write(descriptor, $0.baseAddress, $0.count) }
        guard written == MemoryLayout<Int32>.size else {
            let reason = Self.lastError()
            close(descriptor)
            throw .cannotWrite(device: device, microseconds: microseconds, reason: reason)
        }
        self.microseconds = microseconds
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }

    /// The limit in force now, the lowest any holder asks for (the kernel's default, 2,000 s, when
    /// nobody holds one); `nil` when the device cannot be read, which needs root.
    public static func current(device: String = IdleLatencyLimit.device) -> Int32? {
        let descriptor = open(device, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var value: Int32 = 0
        let count = withUnsafeMutableBytes(of: &value) { read(descriptor, $0.baseAddress, $0.count) }
        return count == MemoryLayout<Int32>.size ? value : nil
    }

    private static func lastError() -> String {
        String(cString: strerror(errno))
    }
}

/// Why the idle wake-up limit could not be held.
public enum IdleLatencyLimitError: Error, CustomStringConvertible {
    case cannotOpen(device: String, microseconds: Int32, reason: String)
    case cannotWrite(device: String, microseconds: Int32, reason: String)

    public var description: String {
        switch self {
        case .cannotOpen(let device, let microseconds, let reason):
            "cannot hold \(device) at \(microseconds) µs: \(reason); run the bench as root, or leave --idle-latency-us out to measure under the machine's own idle policy"
        case .cannotWrite(let device, let microseconds, let reason):
            "cannot write \(microseconds) µs to \(device): \(reason); leave --idle-latency-us out to measure under the machine's own idle policy"
        }
    }
}
