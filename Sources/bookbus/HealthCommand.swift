import ArgumentParser
import BookBusDaemons
import BookBusSettings
import Foundation

struct HealthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health",
        abstract: "Exit 0 when a role's health file (health.file) was touched recently, 1 otherwise.",
        discussion: "The container image's HEALTHCHECK runs this; the file is the one the role was configured with.")

    @Option(
        help: "The health file to check (default: health.file from --config, BOOKBUS_HEALTH_FILE or BOOKBUS_CONFIG).")
    var file: String?

    @Option(help: "Configuration file to read health.file from.")
    var config: String?

    @Option(help: "Seconds after which the file counts as stale.")
    var maxAge: Double = 10

    func run() throws {
        let path = try file ?? EffectiveSettings.load(file: config)[SettingsCatalog.Common.healthFile]
        guard let path else {
            throw ValidationError("no health file: give --file or set health.file in the configuration")
        }
        guard let age = HealthFile.age(of: path) else {
            print("unhealthy: \(path) does not exist (the role has not started its loop)")
            throw ExitCode(1)
        }
        guard age <= maxAge else {
            print("unhealthy: \(path) is \(String(format: "%.1f", age)) s old (limit \(maxAge) s)")
            throw ExitCode(1)
        }
        print("healthy: \(path) is \(String(format: "%.1f", age)) s old")
    }
}
