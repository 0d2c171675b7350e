import Foundation
import Testing

@testable import BookBusSettings

@Suite struct SettingsTests {
    typealias Ingest = SettingsCatalog.Ingest

    /// A configuration file in a fresh temporary directory.
    private func file(_ text: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("bookbus.yaml").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func flagsBeatEnvironmentBeatsFileBeatsDefaults() throws {
        let path = try file("ingest:\n  speed: 2\n  rate: 5\n  publish: \"@tcp://*:6000\"\n")
        var flags = FlagValues()
        flags.set(Ingest.speed, 4.5, flag: "--speed")
        let settings = try EffectiveSettings.load(
            file: path, environment: ["BOOKBUS_INGEST_SPEED": "3", "BOOKBUS_INGEST_RATE": "7"], flags: flags)
        #expect(settings[Ingest.speed] == 4.5)
        #expect(settings.origin(of: Ingest.speed.definition) == .flag("--speed"))
        #expect(settings[Ingest.rate] == 7)
        #expect(settings.origin(of: Ingest.rate.definition) == .environment("BOOKBUS_INGEST_RATE"))
        #expect(settings[Ingest.publish] == "@tcp://*:6000")
        #expect(settings.origin(of: Ingest.publish.definition) == .file(path: path, line: 4))
        #expect(settings[Ingest.groupExpiry] == 3)
        #expect(settings.origin(of: Ingest.groupExpiry.definition) == .builtInDefault)
        #expect(settings[Ingest.name] == nil)
        #expect(settings.origin(of: Ingest.name.definition) == .unset)
    }

    @Test func theConfigFileCanComeFromTheEnvironment() throws {
        let path = try file("worker:\n  products: [BTC-USD, ETH-USD]\n")
        let settings = try EffectiveSettings.load(file: nil, environment: ["BOOKBUS_CONFIG": path])
        #expect(settings[SettingsCatalog.Worker.products] == ["BTC-USD", "ETH-USD"])
        #expect(settings.file == path)
    }

    @Test func listsFromTheEnvironmentAreCommaSeparated() throws {
        let settings = try EffectiveSettings.load(
            file: nil, environment: ["BOOKBUS_INGEST_PRODUCTS": "BTC-USD, SOL-USD,"])
        #expect(settings[Ingest.products] == ["BTC-USD", "SOL-USD"])
    }

    @Test func anEmptyVariableCountsAsUnset() throws {
        let settings = try EffectiveSettings.load(
            file: nil, environment: ["BOOKBUS_COINBASE_API_KEY": "", "BOOKBUS_INGEST_FEED": ""])
        #expect(settings[SettingsCatalog.Coinbase.apiKey] == nil)
        #expect(settings[Ingest.feed] == "advanced-trade")
    }

    @Test func unknownKeysAreErrorsWithLineAndSuggestion() throws {
        let path = try file("log:\n  level: info\ningest:\n  publsh: \"@tcp://*:1\"\n")
        #expect(
            throws: SettingsError.unknownKey(
                key: "ingest.publsh", origin: .file(path: path, line: 4), suggestion: "ingest.publish")
        ) {
            try EffectiveSettings.load(file: path, environment: [:])
        }
        let section = try file("ingets:\n  speed: 1\n")
        #expect(
            throws: SettingsError.unknownKey(
                key: "ingets", origin: .file(path: section, line: 1), suggestion: "ingest")
        ) {
            try EffectiveSettings.load(file: section, environment: [:])
        }
        let far = try file("completely_unrelated: 1\n")
        #expect(
            throws: SettingsError.unknownKey(
                key: "completely_unrelated", origin: .file(path: far, line: 1), suggestion: nil)
        ) {
            try EffectiveSettings.load(file: far, environment: [:])
        }
    }

    @Test func badValuesNameTheKeyAndWhereTheyCameFrom() throws {
        let path = try file("ingest:\n  speed: fast\n")
        #expect(
            throws: SettingsError.invalidValue(
                key: "ingest.speed", origin: .file(path: path, line: 2), reason: "\"fast\" is not a number")
        ) {
            try EffectiveSettings.load(file: path, environment: [:])
        }
        #expect(
            throws: SettingsError.invalidValue(
                key: "ingest.feed", origin: .environment("BOOKBUS_INGEST_FEED"),
                reason: "pro is not one of advanced-trade, exchange")
        ) {
            try EffectiveSettings.load(file: nil, environment: ["BOOKBUS_INGEST_FEED": "pro"])
        }
        var flags = FlagValues()
        flags.set(SettingsCatalog.Worker.resyncBuffer, 0, flag: "--resync-buffer")
        #expect(
            throws: SettingsError.invalidValue(
                key: "worker.resync_buffer", origin: .flag("--resync-buffer"), reason: "0 is below the minimum 1")
        ) {
            try EffectiveSettings.load(file: nil, environment: [:], flags: flags)
        }
        let list = try file("sink:\n  events: spread\n")
        #expect(
            throws: SettingsError.invalidValue(
                key: "sink.events", origin: .file(path: list, line: 2),
                reason: "expected a list, e.g. [BTC-USD, ETH-USD]")
        ) {
            try EffectiveSettings.load(file: list, environment: [:])
        }
        let empty = try file("ingest:\n  url:\n")
        #expect(
            throws: SettingsError.invalidValue(
                key: "ingest.url", origin: .file(path: empty, line: 2),
                reason: "empty; remove the key to use the default")
        ) {
            try EffectiveSettings.load(file: empty, environment: [:])
        }
    }

    @Test func credentialsStayOutOfFilesAndOutOfShow() throws {
        let path = try file("coinbase:\n  api_secret: c2VjcmV0\n")
        #expect(
            throws: SettingsError.secretInFile(
                key: "coinbase.api_secret", origin: .file(path: path, line: 2),
                environmentName: "BOOKBUS_COINBASE_API_SECRET")
        ) {
            try EffectiveSettings.load(file: path, environment: [:])
        }
        let settings = try EffectiveSettings.load(
            file: nil, environment: ["BOOKBUS_COINBASE_API_SECRET": "c2VjcmV0LXRleHQ="])
        #expect(settings[SettingsCatalog.Coinbase.apiSecret] == "c2VjcmV0LXRleHQ=")
        let shown = settings.rendered(sections: ["coinbase"])
        #expect(shown.contains("coinbase.api_secret: <redacted>  # env BOOKBUS_COINBASE_API_SECRET"))
        #expect(!shown.contains("c2VjcmV0LXRleHQ="))
    }

    @Test func unknownBookBusVariablesAreWarnings() throws {
        let settings = try EffectiveSettings.load(file: nil, environment: ["BOOKBUS_INGEST_PUBLSH": "x", "HOME": "/"])
        #expect(settings.warnings == ["environment variable BOOKBUS_INGEST_PUBLSH is not a BookBus setting; ignored"])
    }

    @Test func unreadableFilesSaySo() throws {
        #expect(throws: SettingsError.self) {
            try EffectiveSettings.load(file: "/nonexistent/bookbus.yaml", environment: [:])
        }
        let notYAML = try file("ingest: [unclosed\n")
        #expect(throws: SettingsError.self) { try EffectiveSettings.load(file: notYAML, environment: [:]) }
    }

    @Test func everyKeyHasOneDefinitionAndAVariableName() {
        let keys = SettingsCatalog.all.map(\.key)
        #expect(Set(keys).count == keys.count)
        for definition in SettingsCatalog.all {
            #expect(
                definition.environmentName == "BOOKBUS_"
                    + definition.key.uppercased().replacingOccurrences(of: ".", with: "_"))
            #expect(!definition.summary.isEmpty)
        }
    }

    @Test func theBundledConfigurationFilesAreValid() throws {
        let config = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Config")
        let files = try FileManager.default.contentsOfDirectory(atPath: config.path).filter { $0.hasSuffix(".yaml") }
        #expect(files.sorted() == ["bookbus.yaml", "docker.yaml", "multihost-curve.yaml"])
        for name in files {
            _ = try EffectiveSettings.load(file: config.appendingPathComponent(name).path, environment: [:])
        }
    }
}

@Suite struct SettingsDocumentationTests {
    @Test func readmeListsEverySettingExactlyAsTheCatalogDoes() throws {
        let readme = try String(
            contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .appendingPathComponent("../../README.md"), encoding: .utf8)
        let start = try #require(readme.range(of: "<!-- settings-table:start -->\n"))
        let end = try #require(readme.range(of: "\n<!-- settings-table:end -->"))
        #expect(String(readme[start.upperBound..<end.lowerBound]) == SettingsCatalog.markdownTable())
    }
}
