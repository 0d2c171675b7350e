import Foundation
import Testing

@testable import BookBusDaemons

/// Status files replaced whole: a reader sees the old contents or the new, and nothing is left
/// behind.
@Suite struct FileReplacementTests {
    private let directory = NSTemporaryDirectory() + "bookbus-replace-\(UUID().uuidString)"

    @Test func theNewContentsReplaceTheOldAndNoTemporaryFileRemains() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/sink.stats.json"
        #expect(FileReplacement.replace(path, with: Array("old, and longer than the new\n".utf8)))
        #expect(FileReplacement.replace(path, with: Array("new\n".utf8)))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "new\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["sink.stats.json"])
    }

    @Test func aFileThatCannotBeWrittenIsReportedAndLeavesNothing() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(!FileReplacement.replace(directory + "/missing/health", with: Array("1\n".utf8)))
        // The target is a directory: the rename fails and the temporary file is removed.
        try FileManager.default.createDirectory(atPath: directory + "/taken", withIntermediateDirectories: true)
        try "x".write(toFile: directory + "/taken/keep", atomically: false, encoding: .utf8)
        #expect(!FileReplacement.replace(directory + "/taken", with: Array("1\n".utf8)))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["taken"])
    }
}
