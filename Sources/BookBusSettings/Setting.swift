/// What BookBus knows about one setting: its key, shape, default, limits and meaning.
public struct SettingDefinition: Sendable {
    /// The dotted key, as in the YAML files: `ingest.publish` is `publish:` under `ingest:`.
    public let key: String
    public let type: SettingType
    /// The value used when no file, variable or flag gives one (`nil`: unset unless given).
    public let defaultValue: SettingValue?
    /// The only values allowed (strings and lists of strings), if limited.
    public let choices: [String]?
    /// The smallest number allowed, if limited.
    public let minimum: Double?
    /// Secrets (credentials, private keys) come from the environment only and are never printed.
    public let isSecret: Bool
    /// The command-line flag that sets it, for documentation (`--publish`).
    public let flag: String?
    /// One line on what it does.
    public let summary: String

    /// The environment variable that sets it: `BOOKBUS_` and the key in capitals, dots as `_`.
    public var environmentName: String {
        SettingDefinition.environmentPrefix + key.uppercased().replacingOccurrences(of: ".", with: "_")
    }

    /// Every BookBus environment variable starts with this.
    public static let environmentPrefix = "BOOKBUS_"

    /// The section the key is in (`ingest` for `ingest.publish`).
    public var section: String { String(key.prefix(while: { $0 != "." })) }
}

/// A setting with a default: reading it always gives a value.
public struct Setting<Value: SettingValueConvertible>: Sendable {
    public let definition: SettingDefinition

    /// Declares a setting; `choices` and `minimum` are checked wherever the value comes from.
    public init(
        _ key: String, default defaultValue: Value, flag: String? = nil, choices: [String]? = nil,
        minimum: Double? = nil, _ summary: String
    ) {
        definition = SettingDefinition(
            key: key, type: Value.settingType, defaultValue: defaultValue.settingValue, choices: choices,
            minimum: minimum, isSecret: false, flag: flag, summary: summary)
    }
}

/// A setting without a default: unset unless a file, a variable or a flag gives it.
public struct OptionalSetting<Value: SettingValueConvertible>: Sendable {
    public let definition: SettingDefinition

    /// Declares a setting; secrets are read from the environment only and never printed.
    public init(
        _ key: String, flag: String? = nil, choices: [String]? = nil, minimum: Double? = nil, secret: Bool = false,
        _ summary: String
    ) {
        definition = SettingDefinition(
            key: key, type: Value.settingType, defaultValue: nil, choices: choices, minimum: minimum,
            isSecret: secret, flag: flag, summary: summary)
    }
}

extension SettingDefinition {
    /// The help of the setting's command-line flag: what it does, its key, and its default, e.g.
    /// `Where to publish events: … (worker.publish; default @tcp://*:5556)`. Every role's `--help`
    /// is made of these, so a flag's help cannot drift from the catalog.
    public var flagHelp: String {
        "\(summary) (\(key)" + (defaultValue.map { "; default \($0)" } ?? "") + ")"
    }
}

/// A catalog entry, with or without a default: what the command line reads a flag's name and help
/// from.
public protocol SettingDeclaration: Sendable {
    var definition: SettingDefinition { get }
}

extension SettingDeclaration {
    public var flagHelp: String { definition.flagHelp }
}

extension Setting: SettingDeclaration {}

extension OptionalSetting: SettingDeclaration {}
