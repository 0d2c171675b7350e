import Foundation

/// When a recording file is closed and the next one started.
public struct RecordingRotation: Sendable, Equatable {
    /// The directory the files go to (created if missing).
    public var directory: String
    /// Start a new file after this many seconds.
    public var maxSeconds: Double
    /// Start a new file once the current one has this many bytes.
    public var maxBytes: Int

    public init(directory: String, maxSeconds: Double, maxBytes: Int) {
        self.directory = directory
        self.maxSeconds = maxSeconds
        self.maxBytes = maxBytes
    }
}

/// Why a recording could not be written.
public struct RecordingWriteError: Error, CustomStringConvertible {
    public let description: String
}

/// Writes received frames to rotating files in the timed recording form that ``RecordingReader``
/// replays: `{"ts":<receive time, Unix seconds>,"raw":"<frame>"}` per line. Files are named
/// `live-<UTC start time>-<file number>.timed.jsonl` (so names sort in recording order); the one
/// being written ends in `.partial` until it is
/// closed, so a directory listing shows which files are complete. Lines are flushed at least
/// every second (``flushIfDue(nowNanos:)``) and on rotation and close.
public final class RotatingRecordingWriter {
    public let rotation: RecordingRotation
    private var file: UnsafeMutablePointer<FILE>?
    private var currentPath: String?
    private var fileStartedNanos: UInt64 = 0
    private var fileBytes = 0
    private var fileNumber = 0
    private var lastFlushNanos: UInt64 = 0
    private var line: [UInt8] = []
    /// Files completed so far.
    public private(set) var completedFiles: [String] = []
    /// Frames written so far.
    public private(set) var frames = 0
    /// Frames that were not valid UTF-8 text (written with U+FFFD in place of the bad bytes).
    public private(set) var nonTextFrames = 0

    /// Creates the directory if needed; the first file opens with the first frame.
    public init(rotation: RecordingRotation) throws {
        self.rotation = rotation
        do {
            try FileManager.default.createDirectory(atPath: rotation.directory, withIntermediateDirectories: true)
        } catch {
            throw RecordingWriteError(
                description: "cannot create recording directory \(rotation.directory): \(error.localizedDescription)")
        }
    }

    deinit {
        try? close()
    }

    /// Appends one frame with its receive time, rotating first when the file is old or large.
    public func append(_ frame: [UInt8], receivedAtNanos: UInt64) throws {
        let ageNanos = receivedAtNanos &- fileStartedNanos
        if file == nil || fileBytes >= rotation.maxBytes || Double(ageNanos) / 1e9 >= rotation.maxSeconds {
            try rotate(nowNanos: receivedAtNanos)
        }
        line.removeAll(keepingCapacity: true)
        line.append(contentsOf: #"{"ts":"#.utf8)
        line.append(contentsOf: Self.seconds(receivedAtNanos).utf8)
        line.append(contentsOf: #","raw":""#.utf8)
        // Checked in place: making a String of every frame just to validate it copied each one.
        let invalid = transcode(frame.makeIterator(), from: UTF8.self, to: UTF8.self, stoppingOnError: true) { _ in }
        if invalid {
            nonTextFrames += 1
            Self.appendEscaped(Array(String(decoding: frame, as: UTF8.self).utf8), to: &line)
        } else {
            Self.appendEscaped(frame, to: &line)
        }
        line.append(contentsOf: "\"}\n".utf8)
        guard fwrite(line, 1, line.count, file) == line.count else {
            throw RecordingWriteError(
                description: "cannot write \(currentPath ?? rotation.directory): \(String(cString: strerror(errno)))")
        }
        fileBytes += line.count
        frames += 1
    }

    /// Flushes buffered lines to the file when the last flush is a second old.
    public func flushIfDue(nowNanos: UInt64) {
        guard let file, nowNanos &- lastFlushNanos >= 1_000_000_000 else { return }
        fflush(file)
        lastFlushNanos = nowNanos
    }

    /// Closes the current file and gives it its final name.
    public func close() throws {
        guard let file, let currentPath else { return }
        fclose(file)
        self.file = nil
        self.currentPath = nil
        let finalPath = String(currentPath.dropLast(Self.partialSuffix.count))
        guard rename(currentPath, finalPath) == 0 else {
            throw RecordingWriteError(
                description: "cannot rename \(currentPath) to \(finalPath): \(String(cString: strerror(errno)))")
        }
        completedFiles.append(finalPath)
    }

    private static let partialSuffix = ".partial"

    private func rotate(nowNanos: UInt64) throws {
        try close()
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss.SSS'Z'"
        let stamp = formatter.string(from: Date(timeIntervalSince1970: Double(nowNanos) / 1e9))
        fileNumber += 1
        let number = String(fileNumber)
        let padded = String(repeating: "0", count: max(0, 6 - number.count)) + number
        let path = (rotation.directory as NSString).appendingPathComponent(
            "live-\(stamp)-\(padded).timed.jsonl" + Self.partialSuffix)
        guard let opened = fopen(path, "wx") else {
            throw RecordingWriteError(description: "cannot create \(path): \(String(cString: strerror(errno)))")
        }
        file = opened
        currentPath = path
        fileStartedNanos = nowNanos
        lastFlushNanos = nowNanos
        fileBytes = 0
    }

    /// Unix seconds with microseconds, e.g. `1700000000.123456`.
    private static func seconds(_ nanos: UInt64) -> String {
        let micros = nanos / 1_000
        let fraction = String(micros % 1_000_000)
        return "\(micros / 1_000_000)." + String(repeating: "0", count: 6 - fraction.count) + fraction
    }

    /// Appends `text` as the inside of a JSON string.
    private static func appendEscaped(_ text: [UInt8], to line: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        for byte in text {
            switch byte {
            case UInt8(ascii: "\""): line.append(contentsOf: [UInt8(ascii: "\\"), byte])
            case UInt8(ascii: "\\"): line.append(contentsOf: [UInt8(ascii: "\\"), byte])
            case 0..<0x20:
                line.append(contentsOf: Array(#"\u00"#.utf8))
                line.append(hex[Int(byte >> 4)])
                line.append(hex[Int(byte & 0xF)])
            default: line.append(byte)
            }
        }
    }
}
