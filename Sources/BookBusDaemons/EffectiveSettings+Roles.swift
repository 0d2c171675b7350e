public import BookBusSettings

extension EffectiveSettings {
    /// The socket settings (CURVE included).
    public func sockets() throws -> SocketSettings {
        var settings = SocketSettings()
        settings.highWaterMark = try int32(SettingsCatalog.Common.highWaterMark)
        let buffer = try int32(SettingsCatalog.Common.socketBufferBytes)
        settings.kernelBufferBytes = buffer == 0 ? nil : buffer
        settings.lingerMilliseconds = try int32(SettingsCatalog.Common.lingerMilliseconds)
        settings.curve = try curveSecurity()
        return settings
    }

    /// The health file, if configured.
    public var healthFile: HealthFile? { self[SettingsCatalog.Common.healthFile].map(HealthFile.init(path:)) }

    /// The stats file, if configured.
    public var statsFile: StatsFile? { self[SettingsCatalog.Common.statsFile].map(StatsFile.init(path:)) }

    /// Where the status endpoint listens, if configured.
    public func metricsListen() throws -> HostAndPort? {
        let setting = SettingsCatalog.Common.metricsListen
        guard let text = self[setting] else { return nil }
        guard let address = HostAndPort(parsing: text) else {
            throw invalid(
                setting.definition, "\(text) is not host:port (e.g. 0.0.0.0:9100, or 127.0.0.1:0 for any free port)")
        }
        return address
    }

    private func int32(_ setting: Setting<Int>) throws -> Int32 {
        guard let value = Int32(exactly: self[setting]) else {
            throw invalid(setting.definition, "\(self[setting]) is too large (at most \(Int32.max))")
        }
        return value
    }
}

extension EffectiveSettings {
    /// The CURVE settings, or `nil` when no key pair is configured.
    func curveSecurity() throws -> CurveSecurity? {
        typealias Curve = SettingsCatalog.Curve
        let keyText: (text: String, source: String)? =
            try self[Curve.keyFile].map { (try CurveKeyFiles.read($0), $0) }
            ?? self[Curve.key].map { ($0, Curve.key.definition.environmentName) }
        guard let keyText else {
            let dependent = [Curve.serverKeyFile.definition, Curve.serverKey.definition, Curve.allow.definition]
                .first { origin(of: $0) != .unset }
            if let dependent {
                throw invalid(
                    dependent, "needs this process's key pair: set curve.key_file (bookbus keygen writes one)")
            }
            return nil
        }
        let keyPair = try CurveKeyFiles.keyPair(fromText: keyText.text, source: keyText.source)
        let serverKey =
            try self[Curve.serverKeyFile].map {
                try CurveKeyFiles.publicKeys(fromText: try CurveKeyFiles.read($0), source: $0).first
            }
            ?? self[Curve.serverKey].map {
                try CurveKeyFiles.publicKeys(fromText: $0, source: "\(origin(of: Curve.serverKey.definition))").first
            }
        var allowed = try self[Curve.allow].map { try CurveKeyFiles.allowList(at: $0) }
        if let keys = self[Curve.allowedKeys] {
            let source = "\(origin(of: Curve.allowedKeys.definition))"
            allowed = (allowed ?? []).union(
                try CurveKeyFiles.publicKeys(fromText: keys.joined(separator: ","), source: source))
        }
        return CurveSecurity(
            keyPair: keyPair, serverPublicKey: serverKey ?? nil, allowedClients: allowed,
            allowAnyClient: self[Curve.allowAny])
    }
}
