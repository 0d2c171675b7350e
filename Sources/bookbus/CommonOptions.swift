import ArgumentParser
import BookBusDaemons
import BookBusSettings
import Foundation
import Logging
import ServiceLifecycle

/// Options every role takes. A flag given here overrides the same setting from the environment
/// and from the configuration file (see `bookbus config show`).
struct CommonOptions: ParsableArguments {
    @Option(help: "Configuration file (YAML, e.g. Config/bookbus.yaml); default: $BOOKBUS_CONFIG, else none.")
    var config: String?

    @Option(name: .setting(SettingsCatalog.Common.logLevel), help: .setting(SettingsCatalog.Common.logLevel))
    var logLevel: String?

    @Option(name: .setting(SettingsCatalog.Common.highWaterMark), help: .setting(SettingsCatalog.Common.highWaterMark))
    var hwm: Int?

    @Option(
        name: .setting(SettingsCatalog.Common.socketBufferBytes),
        help: .setting(SettingsCatalog.Common.socketBufferBytes))
    var socketBuffer: Int?

    @Option(
        name: .setting(SettingsCatalog.Common.lingerMilliseconds),
        help: .setting(SettingsCatalog.Common.lingerMilliseconds))
    var lingerMs: Int?

    @Option(name: .setting(SettingsCatalog.Common.healthFile), help: .setting(SettingsCatalog.Common.healthFile))
    var healthFile: String?

    @Option(name: .setting(SettingsCatalog.Common.statsFile), help: .setting(SettingsCatalog.Common.statsFile))
    var statsFile: String?

    @Option(
        name: .setting(SettingsCatalog.Common.metricsListen), help: .setting(SettingsCatalog.Common.metricsListen))
    var metricsListen: String?

    @OptionGroup var curve: CurveOptions

    /// The effective settings: `roleFlags` and these common flags over the environment, the file and
    /// the defaults.
    func settings(roleFlags: FlagValues = FlagValues()) throws -> EffectiveSettings {
        var flags = roleFlags
        typealias Common = SettingsCatalog.Common
        flags.set(Common.logLevel, logLevel)
        flags.set(Common.highWaterMark, hwm)
        flags.set(Common.socketBufferBytes, socketBuffer)
        flags.set(Common.lingerMilliseconds, lingerMs)
        flags.set(Common.healthFile, healthFile)
        flags.set(Common.statsFile, statsFile)
        flags.set(Common.metricsListen, metricsListen)
        curve.record(into: &flags)
        return try EffectiveSettings.load(file: config, flags: flags)
    }
}

extension EffectiveSettings {
    /// Logs to standard error at the configured level, labelled with the role; logs the settings'
    /// warnings and, at debug level, every effective setting of the role.
    func makeLogger(role: String) -> Logger {
        var logger = Logger(label: "bookbus.\(role)") { label in StreamLogHandler.standardError(label: label) }
        // log.level is limited to Logger.Level's names.
        logger.logLevel = Logger.Level(rawValue: self[SettingsCatalog.Common.logLevel]) ?? .info
        for warning in warnings { logger.warning("\(warning)") }
        if let file { logger.info("configuration", metadata: ["file": "\(file)"]) }
        logger.debug("effective settings:\n\(rendered(sections: SettingsCatalog.sections(forRole: role)))")
        return logger
    }
}

/// Runs one service until it ends or SIGTERM/SIGINT asks it to stop; exits 0 on a clean stop.
func runUntilSignalled(_ service: some Service, logger: Logger) async throws {
    try await runUntilSignalled([service], logger: logger)
}

/// Runs `services` together until a signal arrives or any of them ends, which ends the others.
func runUntilSignalled(_ services: [any Service], logger: Logger) async throws {
    let group = ServiceGroup(
        configuration: ServiceGroupConfiguration(
            services: services.map {
                .init(
                    service: $0, successTerminationBehavior: .gracefullyShutdownGroup,
                    failureTerminationBehavior: .gracefullyShutdownGroup)
            },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        ))
    try await group.run()
}

/// Splits a comma-separated flag value, dropping blanks.
func commaSeparated(_ text: String?) -> [String]? {
    text.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
}
