import ArgumentParser
import BookBusDaemons
import BookBusSettings
import Foundation

/// CURVE security flags, shared by every role; the `curve.*` settings (files and environment)
/// give the same, and a key can also come by value (`BOOKBUS_CURVE_KEY`, for container secrets).
struct CurveOptions: ParsableArguments {
    @Option(name: .setting(SettingsCatalog.Curve.keyFile), help: .setting(SettingsCatalog.Curve.keyFile))
    var curveKey: String?

    @Option(name: .setting(SettingsCatalog.Curve.serverKeyFile), help: .setting(SettingsCatalog.Curve.serverKeyFile))
    var curveServerKey: String?

    @Option(name: .setting(SettingsCatalog.Curve.allow), help: .setting(SettingsCatalog.Curve.allow))
    var curveAllow: String?

    @Flag(name: .setting(SettingsCatalog.Curve.allowAny), help: .setting(SettingsCatalog.Curve.allowAny))
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
