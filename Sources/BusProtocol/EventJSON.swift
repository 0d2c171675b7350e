import Foundation
import OrderBook

// The JSON writing every event shares: bytes appended to a reused buffer, decimals as strings.

func appendField(_ name: StaticString, _ value: ExactDecimal?, to json: inout [UInt8]) {
    json.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
    guard let value else {
        json.append(contentsOf: "null".utf8)
        return
    }
    json.append(UInt8(ascii: "\""))
    value.appendText(to: &json)
    json.append(UInt8(ascii: "\""))
}

/// Appends a level as Coinbase writes one, `["price","size"]`, after a comma unless `first`.
func appendLevelPair(_ level: PriceLevel, first: Bool, to json: inout [UInt8]) {
    json.append(contentsOf: first ? #"[""#.utf8 : #",[""#.utf8)
    level.price.appendText(to: &json)
    json.append(contentsOf: #"",""#.utf8)
    level.size.appendText(to: &json)
    json.append(contentsOf: #""]"#.utf8)
}

func appendInteger(_ value: UInt64, to json: inout [UInt8]) {
    // Right to left into a stack buffer (20 digits at most), then one copy.
    var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
    withUnsafeMutableBytes(of: &digits) { buffer in
        var start = buffer.count
        var rest = value
        repeat {
            start -= 1
            buffer[start] = UInt8(truncatingIfNeeded: rest % 10) &+ UInt8(ascii: "0")
            rest /= 10
        } while rest > 0
        json.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[start...]))
    }
}

/// Appends `text` as a JSON string literal, as bytes.
func appendJSONString(_ text: String, to json: inout [UInt8]) {
    // On the string's contiguous bytes: a generic walk of its UTF-8 view showed in profiles.
    var text = text
    let plain = text.withUTF8 { bytes in
        for byte in bytes where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
            return false
        }
        json.append(UInt8(ascii: "\""))
        json.append(contentsOf: bytes)
        json.append(UInt8(ascii: "\""))
        return true
    }
    if !plain {
        var escaped = ""
        appendJSONString(text, to: &escaped)
        json.append(contentsOf: escaped.utf8)
    }
}

/// Appends `text` as a JSON string literal.
func appendJSONString(_ text: String, to json: inout String) {
    json += "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": json += "\\\""
        case "\\": json += "\\\\"
        case "\n": json += "\\n"
        case "\r": json += "\\r"
        case "\t": json += "\\t"
        case _ where scalar.value < 0x20: json += String(format: "\\u%04x", scalar.value)
        default: json.unicodeScalars.append(scalar)
        }
    }
    json += "\""
}

/// Appends `name` and `text` as a JSON string, or `null`.
func appendField(_ name: StaticString, _ text: String?, to json: inout [UInt8]) {
    json.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
    if let text { appendJSONString(text, to: &json) } else { json.append(contentsOf: "null".utf8) }
}

/// Appends `name` and an unsigned integer.
func appendField(_ name: StaticString, _ value: UInt64, to json: inout [UInt8]) {
    json.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
    appendInteger(value, to: &json)
}

/// Appends the fields every event ends with: `worker`, then `generation` (last, so that
/// ``BookEvent/generation(inPayload:)`` finds it from the end), and the closing brace.
func appendTrailer(worker: String, generation: UInt64, to json: inout [UInt8]) {
    json.append(contentsOf: #","worker":"#.utf8)
    appendJSONString(worker, to: &json)
    appendField(#","generation":"#, generation, to: &json)
    json.append(UInt8(ascii: "}"))
}

/// Appends the fields that say which message an event comes from (`exchange_time`,
/// `ingest_time_ns`, `source_seq`, and `interval_end_ns` for a conflated event), then the trailer.
func appendSourceAndTrailer(
    exchangeTime: String?, ingestTimeNanos: UInt64, sourceSequence: UInt64, intervalEndNanos: UInt64? = nil,
    worker: String, generation: UInt64, to json: inout [UInt8]
) {
    appendField(#","exchange_time":"#, exchangeTime, to: &json)
    appendField(#","ingest_time_ns":"#, ingestTimeNanos, to: &json)
    appendField(#","source_seq":"#, sourceSequence, to: &json)
    if let intervalEndNanos { appendField(#","interval_end_ns":"#, intervalEndNanos, to: &json) }
    appendTrailer(worker: worker, generation: generation, to: &json)
}

/// A decimal field of a decoded event.
func decodedDecimal(_ text: String, field: String) throws(BusProtocolError) -> ExactDecimal {
    do {
        return try ExactDecimal(text)
    } catch {
        throw .badEvent("\(field) \(text): \(error)")
    }
}

/// Decodes an event payload with `JSONDecoder`, reporting any failure as a bad event.
func decodeEvent<Wire: Decodable>(_ type: Wire.Type, from json: some Collection<UInt8>) throws(BusProtocolError) -> Wire
{
    do {
        return try JSONDecoder().decode(Wire.self, from: Data(json))
    } catch {
        throw .badEvent(String(describing: error))
    }
}
