import Foundation

/// A log file that only ever holds whole lines.
///
/// Lines are collected and handed to the kernel together, whole lines only, by ``flush()`` on a
/// file opened with `O_APPEND`, so lines are never interleaved or cut by another writer. The sink
/// flushes whenever no further event is waiting (so a line reaches the file as soon as the burst it
/// came in has been read), at ``flushThreshold`` bytes, and when it stops. If a crash cut the last
/// line short, opening the file again removes that partial tail before appending (and says so).
final class AppendOnlyLog {
    private let descriptor: Int32
    let path: String
    /// Bytes of a partial last line removed when the file was opened.
    private(set) var repairedBytes = 0
    /// Whole lines not yet written.
    private var pending: [UInt8] = []
    /// Pending bytes at which ``append(_:)`` flushes by itself.
    static let flushThreshold = 64 << 10

    init(path: String) throws(SinkError) {
        let descriptor = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .cannotOpenLog(path: path, reason: String(cString: strerror(errno))) }
        self.descriptor = descriptor
        self.path = path
        repairedBytes = try Self.truncatePartialLine(descriptor: descriptor, path: path)
    }

    deinit {
        close(descriptor)
    }

    /// Appends `line` and a newline (written at the next ``flush()``).
    func append(_ line: [UInt8]) throws(SinkError) {
        pending.append(contentsOf: line)
        pending.append(UInt8(ascii: "\n"))
        if pending.count >= Self.flushThreshold { try flush() }
    }

    /// Writes every pending line.
    func flush() throws(SinkError) {
        var offset = 0
        while offset < pending.count {
            let written = pending.withUnsafeBytes { buffer in
                write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw .cannotWriteLog(path: path, reason: String(cString: strerror(errno)))
            }
            offset += written
        }
        pending.removeAll(keepingCapacity: true)
    }

    /// Cuts the file back to its last newline. Returns how many bytes were removed.
    private static func truncatePartialLine(descriptor: Int32, path: String) throws(SinkError) -> Int {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            throw .cannotOpenLog(path: path, reason: String(cString: strerror(errno)))
        }
        let size = Int(info.st_size)
        guard size > 0 else { return 0 }
        var keep = size
        var chunk = [UInt8](repeating: 0, count: 4096)
        while keep > 0 {
            let start = max(0, keep - chunk.count)
            let count = keep - start
            let read = chunk.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress!, count, off_t(start)) }
            guard read == count else {
                throw .cannotOpenLog(path: path, reason: "cannot read back the file to check its last line")
            }
            if let newline = chunk[..<count].lastIndex(of: UInt8(ascii: "\n")) {
                keep = start + newline + 1
                break
            }
            keep = start
        }
        guard keep < size else { return 0 }
        guard ftruncate(descriptor, off_t(keep)) == 0 else {
            throw .cannotOpenLog(
                path: path, reason: "cannot remove a partial last line: \(String(cString: strerror(errno)))")
        }
        return size - keep
    }
}

/// Why the sink could not do its job.
public enum SinkError: Error, CustomStringConvertible {
    case cannotOpenLog(path: String, reason: String)
    case cannotWriteLog(path: String, reason: String)

    public var description: String {
        switch self {
        case .cannotOpenLog(let path, let reason):
            "cannot open log \(path): \(reason); check the directory exists and is writable"
        case .cannotWriteLog(let path, let reason): "cannot write log \(path): \(reason)"
        }
    }
}
