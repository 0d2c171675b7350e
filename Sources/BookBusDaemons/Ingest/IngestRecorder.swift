import BookBusCore
import CoinbaseFeed
import Logging

/// The ingest's copy of what it receives: every frame with its receive time, in rotating timed
/// recordings. A failed write is logged and counted, and the frame is still published (the bus
/// matters more than the copy on disk).
struct IngestRecorder {
    private let writer: RotatingRecordingWriter
    private let logger: Logger
    private var errors = 0

    init(rotation: RecordingRotation, logger: Logger) throws {
        writer = try RotatingRecordingWriter(rotation: rotation)
        self.logger = logger
    }

    mutating func record(_ bytes: [UInt8], receivedAtNanos: UInt64) {
        do {
            try writer.append(bytes, receivedAtNanos: receivedAtNanos)
        } catch {
            errors += 1
            logger.error(
                "recording failed; the frame is still published",
                metadata: ["error": "\(error)", "record_errors_total": "\(errors)"])
        }
    }

    func flushIfDue(nowNanos: UInt64) {
        writer.flushIfDue(nowNanos: nowNanos)
    }

    var statistics: [Statistic] {
        [
            Statistic("recorded", .counter, writer.frames, help: "Frames written to the recording."),
            Statistic("record_errors", .counter, errors, help: "Frames the recording could not take."),
        ]
    }

    func close() {
        do {
            try writer.close()
        } catch {
            logger.error("closing the recording failed", metadata: ["error": "\(error)"])
        }
        logger.info(
            "recording closed",
            metadata: [
                "frames": "\(writer.frames)", "files": "\(writer.completedFiles.count)",
                "not_utf8": "\(writer.nonTextFrames)",
            ])
    }
}
