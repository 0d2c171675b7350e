import ArgumentParser
import BookBusDaemons
import Foundation
import Logging
import ServiceLifecycle

/// Options every role takes.
struct CommonOptions: ParsableArguments {
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    @Option(help: "ZeroMQ high-water mark: messages queued per peer before dropping (or waiting, when lossless).")
    var hwm: Int32 = 100_000

    @Option(help: "Milliseconds a closing socket may spend delivering what is still queued.")
    var lingerMs: Int32 = 2_000

    @OptionGroup var curve: CurveOptions

    /// Logs to standard error at the chosen level, labelled with the role.
    func makeLogger(role: String) throws -> Logger {
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError(
                "--log-level \(logLevel) is not one of trace, debug, info, notice, warning, error, critical")
        }
        var logger = Logger(label: "bookbus.\(role)") { label in StreamLogHandler.standardError(label: label) }
        logger.logLevel = level
        return logger
    }

    /// The socket settings these flags give (CURVE included).
    func sockets() throws -> SocketSettings {
        var settings = SocketSettings()
        settings.highWaterMark = hwm
        settings.lingerMilliseconds = lingerMs
        settings.curve = try curve.security()
        return settings
    }
}

/// Runs one service until it ends or SIGTERM/SIGINT asks it to stop; exits 0 on a clean stop.
func runUntilSignalled(_ service: some Service, logger: Logger) async throws {
    let group = ServiceGroup(
        configuration: ServiceGroupConfiguration(
            services: [
                .init(
                    service: service, successTerminationBehavior: .gracefullyShutdownGroup,
                    failureTerminationBehavior: .gracefullyShutdownGroup)
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        ))
    try await group.run()
}

/// Splits a comma-separated list, dropping blanks.
func commaSeparated(_ text: String?) -> [String]? {
    text.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
}
