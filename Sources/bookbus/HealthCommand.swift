import ArgumentParser
import BookBusDaemons
import BookBusSettings
import Foundation

struct HealthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health",
        abstract:
            "Exit 0 when a role's health file (health.file) was touched recently, or its status endpoint answers 200 (--url); 1 otherwise.",
        discussion:
            "The container image's HEALTHCHECK checks the file; docker-compose.yml asks each role's /health (metrics.listen is on in Config/docker.yaml)."
    )

    @Option(
        help:
            "Ask the role's status endpoint instead: http://host:port/path, e.g. http://127.0.0.1:9100/health or …/ready."
    )
    var url: String?

    @Option(
        help: "The health file to check (default: health.file from --config, BOOKBUS_HEALTH_FILE or BOOKBUS_CONFIG).")
    var file: String?

    @Option(help: "Configuration file to read health.file from.")
    var config: String?

    @Option(help: "Seconds after which the file counts as stale (with --url: the longest to wait for an answer).")
    var maxAge: Double = 10

    func run() throws {
        if let url { return try probe(url) }
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

    /// Exits 0 when `GET url` answers 200, printing the answer either way.
    private func probe(_ url: String) throws {
        guard url.hasPrefix("http://"), let slash = url.dropFirst(7).firstIndex(of: "/"),
            let address = HostAndPort(parsing: String(url.dropFirst(7)[..<slash]))
        else { throw ValidationError("--url must look like http://127.0.0.1:9100/health, not \(url)") }
        let path = String(url.dropFirst(7)[slash...])
        do {
            let answer = try HTTPProbe.get(address, path: path, timeout: .seconds(maxAge))
            print(
                "\(answer.status == 200 ? "healthy" : "unhealthy"): \(url) answered \(answer.status) \(answer.body.trimmingCharacters(in: .whitespacesAndNewlines))"
            )
            if answer.status != 200 { throw ExitCode(1) }
        } catch let error as HTTPProbeError {
            print("unhealthy: \(error)")
            throw ExitCode(1)
        }
    }
}
