import Foundation

/// A log file that only ever holds whole lines.
///
/// Each line goes to the kernel in one `write` on a file opened with `O_APPEND`, so lines are never
/// interleaved and nothing waits in a user-space buffer. If a crash cut the last line short, opening
/// the file again removes that partial tail before appending (and says so).
final class AppendOnlyLog {
    private let descriptor: Int32
    let path: String
    /// Bytes of a partial last line removed when the file was opened.
    private(set) var repairedBytes = 0

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

    /// Appends `line` and a newline.
    func append(_ line: [UInt8]) throws(SinkError) {
        var bytes = line
        bytes.append(UInt8(ascii: "\n"))
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw .cannotWriteLog(path: path, reason: String(cString: strerror(errno)))
            }
            offset += written
        }
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
