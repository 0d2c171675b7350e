import ArgumentParser
import BookBusDaemons
import BookBusSettings
import Foundation

/// CURVE security flags, shared by every role; the `curve.*` settings (files and environment)
/// give the same, and a key can also come by value (`BOOKBUS_CURVE_KEY`, for container secrets).
struct CurveOptions: ParsableArguments {
    @Option(help: .init(SettingsCatalog.Curve.keyFile.flagHelp))
    var curveKey: String?

    @Option(help: .init(SettingsCatalog.Curve.serverKeyFile.flagHelp))
    var curveServerKey: String?

    @Option(help: .init(SettingsCatalog.Curve.allow.flagHelp))
    var curveAllow: String?

    @Flag(help: .init(SettingsCatalog.Curve.allowAny.flagHelp))
    var curveAllowAny = false

    /// Records the flags that were given.
    func record(into flags: inout FlagValues) {
        typealias Curve = SettingsCatalog.Curve
        flags.set(Curve.keyFile, curveKey)
        flags.set(Curve.serverKeyFile, curveServerKey)
        flags.set(Curve.allow, curveAllow)
        flags.set(Curve.allowAny, curveAllowAny ? true : nil)
    }
}
