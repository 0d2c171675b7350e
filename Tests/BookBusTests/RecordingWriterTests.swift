import Foundation
import Testing

@testable import CoinbaseFeed

@Suite struct RecordingWriterTests {
    @Test func framesComeBackByteForByteWithTheirTimesAcrossRotations() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString).path
        let writer = try RotatingRecordingWriter(
            rotation: RecordingRotation(directory: directory, maxSeconds: 2, maxBytes: 300))
        let frames: [String] = [
            #"{"type":"l2update","product_id":"BTC-USD","changes":[["buy","65000.01","0.5"]]}"#,
            "quote \" backslash \\ tab \t newline \n unicode é €",
            #"{"type":"heartbeat","sequence":1}"#,
        ]
        var written: [(String, UInt64)] = []
        for index in 0..<12 {
            let frame = frames[index % frames.count]
            let at = 1_700_000_000_000_000_000 + UInt64(index) * 500_000_000 + 123_456_000
            try writer.append(Array(frame.utf8), receivedAtNanos: at)
            written.append((frame, at))
        }
        try writer.close()
        #expect(writer.frames == 12)
        let files = writer.completedFiles
        #expect(files.count >= 3)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
                == files.map { ($0 as NSString).lastPathComponent }.sorted())
        var read: [RecordedFrame] = []
        for file in files {
            let reader = try RecordingReader(path: file)
            while let frame = try reader.next() { read.append(frame) }
        }
        #expect(read.count == written.count)
        for (frame, (text, at)) in zip(read, written) {
            #expect(frame.bytes == Array(text.utf8))
            #expect(abs(frame.receivedAt! - Double(at) / 1e9) < 1e-6)
        }
    }
}
