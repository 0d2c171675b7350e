import Foundation
import Prometheus
import Synchronization

/// The process's own CPU time, resident memory and open descriptors, read from `/proc/self` when
/// scraped, under the names every Prometheus client library uses (`process_…`).
final class ProcessMetrics: Sendable {
    private let cpuSeconds: Counter
    private let residentBytes: Gauge
    private let openDescriptors: Gauge
    /// CPU seconds already added to the counter.
    private let countedCPU = Mutex(0.0)

    init(registry: PrometheusCollectorRegistry) {
        cpuSeconds = registry.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "process", metricName: "cpu_seconds", unitName: "total",
                helpText: "User and system CPU time spent, in seconds."))
        residentBytes = registry.makeGauge(
            descriptor: MetricNameDescriptor(
                namespace: "process", metricName: "resident_memory", unitName: "bytes",
                helpText: "Resident memory, in bytes."))
        openDescriptors = registry.makeGauge(
            descriptor: MetricNameDescriptor(
                namespace: "process", metricName: "open_fds", unitName: "", helpText: "Open file descriptors."))
    }

    /// Reads `/proc/self` into the three series; a value that cannot be read keeps its last one.
    func refresh() {
        if let stat = Self.selfStat() {
            let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
            let total = Double(stat.userTicks + stat.systemTicks) / ticks
            countedCPU.withLock { counted in
                if total > counted {
                    cpuSeconds.increment(by: total - counted)
                    counted = total
                }
            }
            residentBytes.set(Int64(stat.residentPages) * Int64(sysconf(Int32(_SC_PAGESIZE))))
        }
        if let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
            openDescriptors.set(Int64(entries.count))
        }
    }

    /// utime, stime and rss of `/proc/self/stat` (fields 14, 15 and 24; the command name, field 2,
    /// is in parentheses and may hold spaces, so fields are counted after its closing one).
    static func selfStat() -> (userTicks: Int, systemTicks: Int, residentPages: Int)? {
        guard let text = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (the state).
        guard fields.count > 21, let user = Int(fields[11]), let system = Int(fields[12]),
            let resident = Int(fields[21])
        else { return nil }
        return (user, system, resident)
    }
}
