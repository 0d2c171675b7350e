import Foundation

/// One frame read back from a recording.
public struct RecordedFrame: Sendable, Equatable {
    /// The WebSocket frame exactly as Coinbase sent it.
    public var bytes: [UInt8]
    /// When it was received (Unix seconds), for recordings in the timed form.
    public var receivedAt: Double?
}

/// Why a recording could not be read.
public enum RecordingError: Error, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)
    case badTimedLine(path: String, line: Int)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason): "cannot open recording \(path): \(reason)"
        case .badTimedLine(let path, let line):
            "\(path):\(line): a line starting with {\"ts\" must be {\"ts\": <unix seconds>, \"raw\": \"<frame>\"}"
        }
    }
}

/// Reads a Coinbase recording: JSON Lines, one raw WebSocket frame per line, or the timed form
/// `{"ts": <receive time, Unix seconds>, "raw": "<the frame>"}` per line. Empty lines are skipped.
/// Lines of any length are read (a BTC-USD snapshot is one line of several megabytes).
public final class RecordingReader {
    private let path: String
    private let file: UnsafeMutablePointer<FILE>
    private let readBuffer: UnsafeMutablePointer<CChar>
    private var lineBuffer: UnsafeMutablePointer<CChar>?
    private var lineCapacity = 0
    private var lineNumber = 0

    /// Opens the recording at `path`.
    public init(path: String) throws(RecordingError) {
        guard let file = fopen(path, "r") else {
            throw .cannotOpen(path: path, reason: String(cString: strerror(errno)))
        }
        self.path = path
        self.file = file
        // Recordings are read front to back, often at full speed: 1 MiB reads instead of 4 KiB.
        // glibc ignores the size unless it is given the buffer too.
        readBuffer = .allocate(capacity: Self.readBufferSize)
        setvbuf(file, readBuffer, _IOFBF, Self.readBufferSize)
    }

    private static let readBufferSize = 1 << 20

    deinit {
        free(lineBuffer)
        fclose(file)
        readBuffer.deallocate()
    }

    /// How far through the file reading is, 0–1 (for progress; 0 when the size is unknown).
    public var fractionRead: Double {
        let position = ftello(file)
        var status = stat()
        guard position >= 0, fstat(fileno(file), &status) == 0, status.st_size > 0 else { return 0 }
        return min(1, Double(position) / Double(status.st_size))
    }

    /// The next frame, or `nil` at the end of the file.
    public func next() throws(RecordingError) -> RecordedFrame? {
        while true {
            let length = getline(&lineBuffer, &lineCapacity, file)
            guard length >= 0, let lineBuffer else { return nil }
            lineNumber += 1
            var bytes = [UInt8](UnsafeRawBufferPointer(start: lineBuffer, count: length))
            while let last = bytes.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: "\r") { bytes.removeLast() }
            if bytes.isEmpty { continue }
            if Self.isTimed(bytes) { return try timedFrame(bytes) }
            return RecordedFrame(bytes: bytes, receivedAt: nil)
        }
    }

    private static let timedPrefix = Array(#"{"ts""#.utf8)

    private static func isTimed(_ line: [UInt8]) -> Bool {
        line.starts(with: timedPrefix)
    }

    private func timedFrame(_ line: [UInt8]) throws(RecordingError) -> RecordedFrame {
        if let plain = TimedLine.parse(line) { return RecordedFrame(bytes: plain.frame, receivedAt: plain.receivedAt) }
        guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
            let ts = (object["ts"] as? NSNumber)?.doubleValue,
            let raw = object["raw"] as? String
        else { throw .badTimedLine(path: path, line: lineNumber) }
        return RecordedFrame(bytes: Array(raw.utf8), receivedAt: ts)
    }
}
