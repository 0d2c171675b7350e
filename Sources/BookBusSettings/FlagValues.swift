/// The settings given on the command line, with the flag that gave each.
public struct FlagValues: Sendable {
    /// Value and flag, by setting key.
    public private(set) var values: [String: (value: SettingValue, flag: String)] = [:]

    public init() {}

    /// Records `value` for `setting` when its catalog flag was given (`value` not `nil`).
    public mutating func set<Value>(_ setting: Setting<Value>, _ value: Value?) {
        set(setting.definition, value, flag: setting.definition.flag ?? setting.definition.key)
    }

    /// Records `value` for `setting` when its catalog flag was given (`value` not `nil`).
    public mutating func set<Value>(_ setting: OptionalSetting<Value>, _ value: Value?) {
        set(setting.definition, value, flag: setting.definition.flag ?? setting.definition.key)
    }

    /// Records `value` for `setting` when `flag`, one of the setting's flags, was given.
    public mutating func set<Value>(_ setting: Setting<Value>, _ value: Value?, flag: String) {
        set(setting.definition, value, flag: flag)
    }

    /// Records `value` for `setting` when `flag`, one of the setting's flags, was given.
    public mutating func set<Value>(_ setting: OptionalSetting<Value>, _ value: Value?, flag: String) {
        set(setting.definition, value, flag: flag)
    }

    private mutating func set<Value: SettingValueConvertible>(
        _ definition: SettingDefinition, _ value: Value?, flag: String
    ) {
        guard let value else { return }
        values[definition.key] = (value.settingValue, flag)
    }
}
