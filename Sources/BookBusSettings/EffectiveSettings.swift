import Configuration
import Foundation

/// The settings a process runs with: each key's value and where it came from. Precedence, highest
/// first: command-line flags, `BOOKBUS_*` environment variables, the YAML file, built-in defaults.
/// Values are read through swift-configuration's providers (YAML snapshot, environment variables,
/// in-memory flags); every value is then checked against its definition's shape and limits.
public struct EffectiveSettings: Sendable {
    /// One setting's effective value.
    public struct Entry: Sendable {
        public let definition: SettingDefinition
        public let value: SettingValue?
        public let origin: SettingOrigin
    }

    /// Every setting, by key.
    public let entries: [String: Entry]
    /// The configuration file read, if any.
    public let file: String?
    /// Things worth a log line that are not errors (e.g. unknown `BOOKBUS_*` variables).
    public let warnings: [String]

    /// The environment variable naming the configuration file when `--config` is not given.
    public static let configFileVariable = "BOOKBUS_CONFIG"

    /// Reads the file (`file`, else `$BOOKBUS_CONFIG`, else none), the environment and the flags.
    /// Throws ``SettingsError`` naming the key and its origin for any unknown key or bad value.
    public static func load(
        file: String?, environment: [String: String] = ProcessInfo.processInfo.environment,
        flags: FlagValues = FlagValues()
    ) throws -> EffectiveSettings {
        let path = file ?? environment[configFileVariable].flatMap { $0.isEmpty ? nil : $0 }
        let fileLayer = try path.map { try FileLayer(path: $0) }
        let (environmentLayer, warnings) = EnvironmentLayer.make(from: environment)
        let flagLayer = FlagLayer(flags: flags)
        var entries: [String: Entry] = [:]
        for definition in SettingsCatalog.all {
            entries[definition.key] = try resolve(
                definition, flags: flagLayer, environment: environmentLayer, file: fileLayer)
        }
        return EffectiveSettings(entries: entries, file: path, warnings: warnings)
    }

    /// The value of a setting with a default.
    public subscript<Value>(setting: Setting<Value>) -> Value {
        // load() gives every defaulted setting a value of its own type.
        Value(settingValue: entries[setting.definition.key]!.value!)!
    }

    /// The value of a setting without a default, if set.
    public subscript<Value>(setting: OptionalSetting<Value>) -> Value? {
        entries[setting.definition.key]?.value.flatMap(Value.init(settingValue:))
    }

    /// Where a setting's value came from.
    public func origin(of definition: SettingDefinition) -> SettingOrigin {
        entries[definition.key]?.origin ?? .unset
    }

    /// An error for a value that passed its own checks but not a rule involving other settings.
    public func invalid(_ definition: SettingDefinition, _ reason: String) -> SettingsError {
        .invalidValue(key: definition.key, origin: origin(of: definition), reason: reason)
    }

    /// The effective settings of these sections, one `key: value  # origin` line each; secrets
    /// show as `<redacted>`.
    public func rendered(sections: Set<String>) -> String {
        SettingsCatalog.all.filter { sections.contains($0.section) }.map { definition in
            let entry = entries[definition.key]
            let value: String
            switch entry?.value {
            case nil: value = "~"
            case .some where definition.isSecret: value = "<redacted>"
            case .some(let setting): value = Self.quotedIfNeeded(setting)
            }
            return "\(definition.key): \(value)  # \(entry?.origin ?? .unset)"
        }.joined(separator: "\n")
    }

    private static func quotedIfNeeded(_ value: SettingValue) -> String {
        guard case .string(let text) = value else { return value.description }
        let plain = text.allSatisfy { $0.isLetter || $0.isNumber || "-_./".contains($0) } && !text.isEmpty
        return plain ? text : "\"" + text.replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    private static func resolve(
        _ definition: SettingDefinition, flags: FlagLayer, environment: EnvironmentLayer, file: FileLayer?
    ) throws -> Entry {
        let key = AbsoluteConfigKey(definition.key.split(separator: ".").map(String.init))
        var candidates: [(origin: SettingOrigin, written: String?, lookup: () throws -> ConfigValue?)] = [
            (
                flags.origin(of: definition), nil,
                { try flags.provider.value(forKey: key, type: definition.configType).value }
            ),
            (
                .environment(definition.environmentName), environment.text(of: definition),
                { try environment.provider.value(forKey: key, type: definition.configType).value }
            ),
        ]
        if let file {
            candidates.append(
                (
                    .file(path: file.path, line: file.locations[definition.key]?.line),
                    file.locations[definition.key]?.text,
                    { try file.snapshot.value(forKey: key, type: definition.configType).value }
                ))
        }
        for (origin, written, lookup) in candidates {
            let found: ConfigValue?
            do {
                found = try lookup()
            } catch {
                let shown = definition.isSecret ? "" : written.map { "\"\($0)\" is not " } ?? "expected "
                throw SettingsError.invalidValue(
                    key: definition.key, origin: origin, reason: shown + definition.type.article)
            }
            // A secret never comes from the file: ConfigFileChecker refuses it there.
            guard let found else { continue }
            let value = try definition.checked(found.content, origin: origin)
            return Entry(definition: definition, value: value, origin: origin)
        }
        if let defaultValue = definition.defaultValue {
            return Entry(definition: definition, value: defaultValue, origin: .builtInDefault)
        }
        return Entry(definition: definition, value: nil, origin: .unset)
    }
}

/// The configuration file: its keys checked by ``ConfigFileChecker``, its values parsed by
/// swift-configuration's YAML snapshot.
private struct FileLayer {
    let path: String
    let locations: [String: ConfigFileChecker.Location]
    let snapshot: YAMLSnapshot

    init(path: String) throws {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw SettingsError.unreadableFile(path: path, reason: error.localizedDescription)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw SettingsError.unreadableFile(path: path, reason: "not UTF-8 text")
        }
        self.path = path
        locations = try ConfigFileChecker(path: path).check(text: text)
        let bytes = [UInt8](data)
        do {
            snapshot = try YAMLSnapshot(data: bytes.span.bytes, providerName: path, parsingOptions: .default)
        } catch {
            throw SettingsError.unreadableFile(path: path, reason: "\(error)")
        }
    }
}

/// The non-empty `BOOKBUS_*` variables, prefix removed, read by swift-configuration's environment
/// provider.
private struct EnvironmentLayer {
    let provider: EnvironmentVariablesProvider
    let values: [String: String]

    /// The variable's text, for error messages.
    func text(of definition: SettingDefinition) -> String? { values[definition.environmentName] }

    static func make(from environment: [String: String]) -> (EnvironmentLayer, warnings: [String]) {
        let prefix = SettingDefinition.environmentPrefix
        let known = Set(SettingsCatalog.all.map(\.environmentName)).union([EffectiveSettings.configFileVariable])
        var stripped: [String: String] = [:]
        var values: [String: String] = [:]
        var warnings: [String] = []
        // An empty variable counts as unset (compose's `${VAR:-}` passes unset host variables so).
        for (name, value) in environment where name.hasPrefix(prefix) && !value.isEmpty {
            guard known.contains(name) else {
                warnings.append("environment variable \(name) is not a BookBus setting; ignored")
                continue
            }
            stripped[String(name.dropFirst(prefix.count))] = value
            values[name] = value
        }
        let secrets = Set(
            SettingsCatalog.all.filter(\.isSecret).map { String($0.environmentName.dropFirst(prefix.count)) })
        return (
            EnvironmentLayer(
                provider: EnvironmentVariablesProvider(
                    environmentVariables: stripped, secretsSpecifier: .specific(secrets)),
                values: values),
            warnings.sorted()
        )
    }
}

/// The command-line flags, as an in-memory provider.
private struct FlagLayer {
    let provider: InMemoryProvider
    let flagNames: [String: String]

    init(flags: FlagValues) {
        var values: [AbsoluteConfigKey: ConfigValue] = [:]
        var names: [String: String] = [:]
        for (key, entry) in flags.values {
            values[AbsoluteConfigKey(key.split(separator: ".").map(String.init))] = ConfigValue(
                entry.value.configContent, isSecret: false)
            names[key] = entry.flag
        }
        provider = InMemoryProvider(name: "flags", values: values)
        flagNames = names
    }

    func origin(of definition: SettingDefinition) -> SettingOrigin {
        .flag(flagNames[definition.key] ?? definition.flag ?? definition.key)
    }
}

extension SettingDefinition {
    var configType: ConfigType {
        switch type {
        case .string: .string
        case .int: .int
        case .double: .double
        case .bool: .bool
        case .stringList: .stringArray
        }
    }

    /// The value from a provider, checked against this definition's shape, choices and minimum.
    func checked(_ content: ConfigContent, origin: SettingOrigin) throws -> SettingValue {
        let value: SettingValue
        switch content {
        case .string(let text): value = .string(text)
        case .int(let number): value = .int(number)
        case .double(let number): value = .double(number)
        case .bool(let flag): value = .bool(flag)
        case .stringArray(let items):
            value = .stringList(items.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        default: throw SettingsError.invalidValue(key: key, origin: origin, reason: "expected \(type.article)")
        }
        if let choices {
            let words: [String]
            switch value {
            case .string(let text): words = [text]
            case .stringList(let items): words = items
            default: words = []
            }
            for word in words where !choices.contains(word) {
                throw SettingsError.invalidValue(
                    key: key, origin: origin, reason: "\(word) is not one of \(choices.joined(separator: ", "))")
            }
        }
        if let minimum {
            let number: Double? =
                switch value {
                case .int(let number): Double(number)
                case .double(let number): number
                default: nil
                }
            if let number, number < minimum || !number.isFinite {
                throw SettingsError.invalidValue(
                    key: key, origin: origin,
                    reason: "\(value) is below the minimum \(SettingValue.double(minimum))")
            }
        }
        return value
    }
}

extension SettingType {
    /// "an int", "a list of strings": for error messages.
    var article: String {
        switch self {
        case .int: "an integer"
        case .double: "a number"
        case .bool: "true or false"
        default: "a \(rawValue)"
        }
    }
}

extension SettingValue {
    var configContent: ConfigContent {
        switch self {
        case .string(let text): .string(text)
        case .int(let number): .int(number)
        case .double(let number): .double(number)
        case .bool(let flag): .bool(flag)
        case .stringList(let items): .stringArray(items)
        }
    }
}

extension EffectiveSettings {
    /// A setting limited to the names of `Value`'s cases, as that type: the one place an enum
    /// setting is converted (a test keeps every catalog's choices equal to its type's cases).
    public func choice<Value: RawRepresentable>(_ setting: Setting<String>, as type: Value.Type) throws(SettingsError)
        -> Value
    where Value.RawValue == String {
        guard let value = Value(rawValue: self[setting]) else {
            throw invalid(setting.definition, "\(self[setting]) is not one of \(setting.definition.choices ?? [])")
        }
        return value
    }

    /// A list setting limited to the names of `Value`'s cases, as that type.
    public func choices<Value: RawRepresentable>(_ setting: Setting<[String]>, as type: Value.Type)
        throws(SettingsError) -> [Value]
    where Value.RawValue == String {
        try self[setting].map { name throws(SettingsError) in
            guard let value = Value(rawValue: name) else {
                throw invalid(setting.definition, "\(name) is not one of \(setting.definition.choices ?? [])")
            }
            return value
        }
    }
}
