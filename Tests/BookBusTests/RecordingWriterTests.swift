import Foundation
import SyntheticFeed
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

/// The timed line's one-pass reader against Foundation's JSON parser: whenever it reads a line it
/// reads what the general parser reads, and it takes the forms BookBus's recorder and Python write.
@Suite struct TimedLineTests {
    /// What the general parser reads from a line, or `nil` when it refuses it.
    static func general(_ line: String) -> (Double, [UInt8])? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
            let ts = (object["ts"] as? NSNumber)?.doubleValue, let raw = object["raw"] as? String
        else { return nil }
        return (ts, Array(raw.utf8))
    }

    static func agrees(_ line: String) -> Bool {
        guard let fast = TimedLine.parse(Array(line.utf8)) else { return true }
        guard let slow = general(line) else { return false }
        return fast.receivedAt == slow.0 && fast.frame == slow.1
    }

    @Test func readsThePlainFormsExactly() {
        let lines = [
            #"{"ts":1700000000.123456,"raw":"{\"type\":\"snapshot\",\"bids\":[[\"1.5\",\"2\"]]}"}"#,
            #"{"ts": 1700000000.25, "raw": "tab\tnewline\nslash\/quote\"backslash\\ctl\u0001\u007f"}"#,
            #"{"ts":1e9,"raw":""}"#,
        ]
        for line in lines {
            #expect(TimedLine.parse(Array(line.utf8)) != nil, "\(line)")
            #expect(Self.agrees(line), "\(line)")
        }
    }

    @Test func leavesEverythingElseToTheGeneralParser() {
        let lines = [
            #"{"ts":1,"raw":"é"}"#, #"{"ts":1,"raw":"\u00e9"}"#, #"{"ts":1,"raw":"\ud83d\ude00"}"#,
            #"{"ts":1,"raw":"x","extra":2}"#, #"{"ts":1,"raw":"x"} trailing"#, #"{"ts":1,"raw":"x"#,
            #"{"ts":"1","raw":"x"}"#, #"{"ts":1,"raw":"bad \q escape"}"#, "{\"ts\":1,\"raw\":\"raw\ttab\"}",
        ]
        for line in lines {
            #expect(TimedLine.parse(Array(line.utf8)) == nil, "\(line)")
        }
    }

    @Test func agreesWithTheGeneralParserOnRandomAndDamagedLines() {
        var random = SplitMix64(seed: 23)
        let alphabet = Array(#"ab{}[]:,"\/ 019.eE-+"#.utf8) + [0x01, 0x0A, 0x7F, 0xC3, 0xA9]
        var accepted = 0
        for _ in 0..<5_000 {
            var line =
                Array(#"{"ts":1700000000."#.utf8) + Array(String(Int.random(in: 0..<1_000_000, using: &random)).utf8)
            line += Array(#","raw":""#.utf8)
            for _ in 0..<Int.random(in: 0..<40, using: &random) {
                let byte = alphabet.randomElement(using: &random)!
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): line += [UInt8(ascii: "\\"), byte]
                case 0x01: line += Array(#"\u0001"#.utf8)
                case 0x0A: line += Array(#"\n"#.utf8)
                default: line.append(byte)
                }
            }
            line += Array(#""}"#.utf8)
            if Bool.random(using: &random) {
                line[Int.random(in: 0..<line.count, using: &random)] = alphabet.randomElement(using: &random)!
            }
            let text = String(decoding: line, as: UTF8.self)
            guard Array(text.utf8) == line else { continue }  // not valid UTF-8: not a line to compare
            if TimedLine.parse(line) != nil { accepted += 1 }
            #expect(Self.agrees(text), "\(text)")
        }
        #expect(accepted > 500, "the fast form is the common one")
    }
}
