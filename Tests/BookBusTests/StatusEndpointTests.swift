import BookBusCore
import Testing

@testable import BookBusDaemons

/// The status endpoint's answers, from a board the test posts to as a role's housekeeping does.
/// (The HTTP server itself, promtool and a real Prometheus are in Tests/integration/test_metrics.py.)
@Suite struct StatusEndpointTests {
    func text(_ routes: StatusRoutes) -> String {
        String(decoding: routes.respond(method: "GET", path: "/metrics").body, as: UTF8.self)
    }

    func report(frames: Int, products: [String: String] = [:]) -> StatsReport {
        StatsReport(
            role: "worker", name: "w",
            statistics: [
                Statistic("frames", .counter, frames, help: "Frames."),
                Statistic("queue_depth", .gauge, 7, help: "Queued."),
                Statistic("resyncs_by_reason", .counter, 2, help: "By reason.", label: .init("reason", "sequence_gap")),
            ],
            products: products)
    }

    @Test func statisticsBecomePrometheusSeriesWithTheirRoleAndLabels() {
        let board = StatusBoard(role: "worker")
        board.post(report(frames: 5), readiness: .ready)
        let metrics = text(StatusRoutes(board: board))
        #expect(metrics.contains("# HELP bookbus_frames_total Frames.\n# TYPE bookbus_frames_total counter\n"))
        #expect(metrics.contains("bookbus_frames_total{role=\"worker\"} 5\n"))
        #expect(metrics.contains("bookbus_queue_depth{role=\"worker\"} 7"))
        #expect(metrics.contains("bookbus_resyncs_by_reason_total{role=\"worker\",reason=\"sequence_gap\"} 2\n"))
        #expect(metrics.contains("process_cpu_seconds_total "))
        #expect(metrics.contains("process_resident_memory_bytes "))
    }

    @Test func countersAddWhatGrewAndNeverGoBack() {
        let board = StatusBoard(role: "worker")
        let routes = StatusRoutes(board: board)
        board.post(report(frames: 5), readiness: .ready)
        board.post(report(frames: 12), readiness: .ready)
        #expect(text(routes).contains("bookbus_frames_total{role=\"worker\"} 12\n"))
        board.post(report(frames: 3), readiness: .ready)
        #expect(text(routes).contains("bookbus_frames_total{role=\"worker\"} 12\n"))
    }

    @Test func eachProductIsInExactlyOneBookState() {
        let board = StatusBoard(role: "worker")
        let routes = StatusRoutes(board: board)
        board.post(report(frames: 1, products: ["AAA-USD": "awaiting_snapshot"]), readiness: .ready)
        board.post(report(frames: 1, products: ["AAA-USD": "live"]), readiness: .ready)
        let live = text(routes)
        #expect(live.contains(#"bookbus_book_state{role="worker",product="AAA-USD",state="live"} 1.0"#))
        #expect(live.contains(#"bookbus_book_state{role="worker",product="AAA-USD",state="awaiting_snapshot"} 0.0"#))
        #expect(live.contains(#"bookbus_book_state{role="worker",product="AAA-USD",state="resynchronising"} 0.0"#))
        board.post(report(frames: 1), readiness: .ready)
        #expect(!text(routes).contains(#"product="AAA-USD",state="live"} 1.0"#))
    }

    @Test func readinessAndHealthAnswerWithTheirReasons() {
        let board = StatusBoard(role: "worker")
        let routes = StatusRoutes(board: board, stuckAfter: .seconds(5))
        #expect(routes.respond(method: "GET", path: "/ready") == .init(503, "not ready: starting\n"))
        board.post(report(frames: 1), readiness: .notReady("not live: AAA-USD (awaiting_snapshot)"))
        #expect(
            routes.respond(method: "GET", path: "/ready")
                == .init(503, "not ready: not live: AAA-USD (awaiting_snapshot)\n"))
        board.post(report(frames: 1), readiness: .ready)
        #expect(routes.respond(method: "GET", path: "/ready") == .init(200, "ready\n"))
        #expect(routes.respond(method: "GET", path: "/health") == .init(200, "ok\n"))
        board.post(report(frames: 1), readiness: .ready, now: .now - .seconds(9))
        #expect(
            routes.respond(method: "GET", path: "/health")
                == .init(503, "unhealthy: the main loop has not turned for 9 s\n"))
    }

    @Test func otherPathsAndMethodsAreRefused() {
        let routes = StatusRoutes(board: StatusBoard(role: "sink"))
        #expect(routes.respond(method: "GET", path: "/").status == 404)
        #expect(routes.respond(method: "POST", path: "/metrics").status == 405)
        #expect(routes.respond(method: "GET", path: "/metrics?x=1").status == 200)
        #expect(routes.respond(method: "GET", path: "/metrics").contentType.hasPrefix("text/plain; version=0.0.4"))
    }

    @Test(arguments: [
        ("0.0.0.0:9100", HostAndPort(host: "0.0.0.0", port: 9100)),
        ("127.0.0.1:0", HostAndPort(host: "127.0.0.1", port: 0)),
        ("[::]:9100", HostAndPort(host: "::", port: 9100)),
        ("localhost:65535", HostAndPort(host: "localhost", port: 65_535)),
        ("9100", nil), (":9100", nil), ("host:", nil), ("host:65536", nil), ("host:-1", nil),
    ])
    func listeningAddressesParse(_ text: String, _ expected: HostAndPort?) {
        #expect(HostAndPort(parsing: text) == expected)
    }
}

extension StatusEndpointTests {
    @Test func latencyHistogramsAreServedInPrometheusForm() {
        let board = StatusBoard(role: "sink")
        var recorder = LatencyRecorder()
        recorder.record(from: 0, to: 40_000)
        recorder.record(from: 0, to: 3_000_000)
        board.post(
            StatsReport(role: "sink", name: "sink", statistics: [], histograms: [recorder.histogramSnapshot]),
            readiness: .ready)
        let metrics = text(StatusRoutes(board: board))
        #expect(metrics.contains("# TYPE bookbus_latency_seconds histogram\n"))
        #expect(metrics.contains("bookbus_latency_seconds_bucket{role=\"sink\",le=\"5e-05\"} 1\n"))
        #expect(metrics.contains("bookbus_latency_seconds_bucket{role=\"sink\",le=\"0.005\"} 2\n"))
        #expect(metrics.contains("bookbus_latency_seconds_bucket{role=\"sink\",le=\"+Inf\"} 2\n"))
        #expect(metrics.contains("bookbus_latency_seconds_count{role=\"sink\"} 2\n"))
    }
}
