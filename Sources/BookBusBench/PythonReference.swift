import Foundation
import OrderBook
import Subprocess
import SystemPackage

/// The same recording through `scripts/reference_book.py`: one Python process with a
/// `sortedcontainers` book and `orjson`, no bus. Its rate beside BookBus's, in the same run, gives
/// a ratio that means something on any machine.
struct PythonReference {
    /// The script, relative to the working directory (the repository) unless absolute.
    let script: String

    enum Outcome {
        case measured(messagesPerSecond: Double)
        /// Why the reference did not run, for the table.
        case skipped(String)
    }

    /// Runs the script on `recording` and checks its final books against `reference`.
    /// - Throws: when the script ran but its books differ from the reference, or its output is unreadable.
    func run(recording: String, reference: [String: TopOfBook]) async throws -> Outcome {
        guard FileManager.default.fileExists(atPath: script) else {
            return .skipped("\(script) not found: run bookbus bench from the repository or pass --reference-script")
        }
        let status: TerminationStatus
        let output: String?
        do {
            let result = try await Subprocess.run(
                .name("python3"), arguments: [script, recording], output: .string(limit: 1 << 20))
            status = result.terminationStatus
            output = result.standardOutput
        } catch {
            return .skipped("python3 could not be started (\(error))")
        }
        if status == .exited(3) {
            return .skipped("Python lacks sortedcontainers or orjson: pip install sortedcontainers orjson")
        }
        guard status.isSuccess, let text = output,
            let report = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
            let messages = report["messages"] as? Int, let seconds = report["seconds"] as? Double, seconds > 0,
            let tops = report["tops"] as? [String: [String: String]]
        else {
            throw BenchError(description: "the Python reference failed (\(status)): \(output ?? "")")
        }
        for (product, top) in reference {
            func same(_ text: String?, _ value: ExactDecimal?) -> Bool {
                guard let text, let value, let parsed = try? ExactDecimal(text) else {
                    return text == nil && value == nil
                }
                return parsed == value
            }
            let theirs = tops[product]
            guard same(theirs?["bid"], top.bid?.price), same(theirs?["bid_size"], top.bid?.size),
                same(theirs?["ask"], top.ask?.price), same(theirs?["ask_size"], top.ask?.size)
            else {
                throw BenchError(description: "\(product): the Python reference ends with \(theirs ?? [:]), not \(top)")
            }
        }
        return .measured(messagesPerSecond: Double(messages) / seconds)
    }
}
