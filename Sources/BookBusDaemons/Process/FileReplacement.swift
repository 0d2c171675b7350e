import Foundation

/// Replaces a small status file (the stats file, the health file) all at once: the bytes go to a
/// temporary file beside it, which is then renamed over it, so a reader sees the old contents or
/// the new, never part of them.
///
/// Unlike Foundation's `.atomic` write it does not `fsync`: these files say how a running role is
/// and are rewritten every second, so they need not outlive a power cut, and the sync took the
/// role's loop a millisecond or more each time (far more on a busy disk), delaying the messages
/// that arrived meanwhile.
enum FileReplacement {
    /// Writes `bytes` as the new contents of `path`; `false` (the old file left as it was) when
    /// any step fails.
    @discardableResult
    static func replace(_ path: String, with bytes: [UInt8]) -> Bool {
        let temporary = "\(path).\(getpid()).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return false }
        let written = bytes.withUnsafeBytes { buffer -> Bool in
            var offset = 0
            while offset < buffer.count {
                let count = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { return false }
                offset += count
            }
            return true
        }
        guard close(descriptor) == 0, written, rename(temporary, path) == 0 else {
            unlink(temporary)
            return false
        }
        return true
    }
}
