extension SettingsCatalog {
    /// Every setting as a Markdown table, one section after another: the table in README.md's
    /// "Configuration" section is this text (a test keeps the two equal).
    public static func markdownTable() -> String {
        var lines = [
            "| key | environment variable | flag | default | meaning |",
            "|---|---|---|---|---|",
        ]
        for definition in all {
            let flag = definition.flag.map { "`\($0)`" } ?? (definition.isSecret ? "(environment only)" : "")
            let value = definition.defaultValue.map { "`\($0)`" } ?? ""
            let cells = [
                "`\(definition.key)`", "`\(definition.environmentName)`", flag, value,
                definition.summary.replacingOccurrences(of: "|", with: "\\|"),
            ]
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n")
    }
}
