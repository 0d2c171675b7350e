import ArgumentParser
import BookBusSettings

extension NameSpecification {
    /// The flag's long name as the settings catalog declares it, so a flag is named in one place.
    static func setting(_ setting: some SettingDeclaration) -> NameSpecification {
        guard let flag = setting.definition.flag, flag.hasPrefix("--") else {
            preconditionFailure("\(setting.definition.key) declares no --flag in the settings catalog")
        }
        return [.customLong(String(flag.dropFirst(2)))]
    }
}

extension ArgumentHelp {
    /// The flag's help as the settings catalog gives it: summary, key and default.
    static func setting(_ setting: some SettingDeclaration) -> ArgumentHelp {
        ArgumentHelp(setting.flagHelp)
    }
}
