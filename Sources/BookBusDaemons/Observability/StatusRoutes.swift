import BookBusCore

/// The answers of a role's HTTP endpoint, from its ``StatusBoard``: `GET /metrics` (Prometheus
/// text), `GET /health` (the role's loop turned lately) and `GET /ready` (the role does its job).
struct StatusRoutes: Sendable {
    struct Response: Equatable {
        var status: Int
        var contentType: String
        var body: [UInt8]

        init(_ status: Int, _ body: String, contentType: String = "text/plain; charset=utf-8") {
            self.status = status
            self.contentType = contentType
            self.body = Array(body.utf8)
        }
    }

    let board: StatusBoard
    /// A loop that has not turned for this long is reported unhealthy.
    var stuckAfter: Duration = .seconds(5)

    static let prometheusContentType = "text/plain; version=0.0.4; charset=utf-8"

    func respond(method: String, path: String) -> Response {
        let route = path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? path
        guard ["/metrics", "/health", "/ready"].contains(route) else {
            return Response(404, "not found: \(route) (try /metrics, /health or /ready)\n")
        }
        guard method == "GET" || method == "HEAD" else {
            return Response(405, "\(method) not allowed: use GET\n")
        }
        switch route {
        case "/metrics":
            var response = Response(200, "", contentType: Self.prometheusContentType)
            response.body = board.metricsText()
            return response
        case "/health":
            let since = board.sinceLastTurn()
            guard since < stuckAfter else {
                return Response(503, "unhealthy: the main loop has not turned for \(since.seconds) s\n")
            }
            return Response(200, "ok\n")
        default:
            switch board.readiness {
            case .ready: return Response(200, "ready\n")
            case .notReady(let reason): return Response(503, "not ready: \(reason)\n")
            }
        }
    }
}

extension Duration {
    /// Whole seconds, for messages.
    fileprivate var seconds: Int64 { components.seconds }
}
