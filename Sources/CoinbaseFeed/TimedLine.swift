/// Reads a timed recording line, `{"ts": <Unix seconds>, "raw": "<frame>"}`, in one pass over its
/// bytes: what BookBus's recorder and `json.dumps` write (spaces around the separators allowed),
/// with the frame in ASCII and the escapes JSON defines.
///
/// A snapshot's line is megabytes of escaped JSON; a general JSON parser builds a String of it and
/// then its UTF-8 again. Anything outside the plain form (other keys, non-ASCII bytes, surrogate
/// escapes, trailing text) gives `nil`, and the caller's general parser decides.
enum TimedLine {
    /// The receive time and the frame's bytes, or `nil` when the line is not in the plain form.
    static func parse(_ line: [UInt8]) -> (receivedAt: Double, frame: [UInt8])? {
        line.withUnsafeBufferPointer { bytes in
            var scanner = JSONScanner(bytes: bytes, keepsExchangeTimes: false)
            guard scanner.literal(#"{"ts""#), scanner.separator(":"), let receivedAt = scanner.finiteNumber(),
                scanner.separator(","), scanner.literal(#""raw""#), scanner.separator(":"), scanner.literal("\""),
                let frame = scanner.asciiStringBody(), scanner.separator("}"), scanner.index == bytes.count
            else { return nil }
            return (receivedAt, frame)
        }
    }
}

extension JSONScanner {
    /// `separator` with any JSON whitespace around it.
    fileprivate mutating func separator(_ separator: StaticString) -> Bool {
        skipWhitespace()
        guard literal(separator) else { return false }
        skipWhitespace()
        return true
    }

    /// A JSON number's value, when it is finite.
    fileprivate mutating func finiteNumber() -> Double? {
        let start = index
        guard number() else { return nil }
        let value = Double(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self))
        return value.flatMap { $0.isFinite ? $0 : nil }
    }

    /// A string's characters up to its closing quote (taken), unescaped; `nil` for a control byte,
    /// a non-ASCII byte or an escape beyond ASCII.
    fileprivate mutating func asciiStringBody() -> [UInt8]? {
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count - index)
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""): return result
            case UInt8(ascii: "\\"):
                guard let unescaped = escape() else { return nil }
                result.append(unescaped)
            case 0x20..<0x80: result.append(byte)
            default: return nil  // a control byte (invalid JSON) or non-ASCII: the general parser
            }
        }
        return nil
    }

    /// The byte an escape (after its backslash) stands for; `nil` for a bad one or one beyond
    /// ASCII.
    private mutating func escape() -> UInt8? {
        guard index < bytes.count else { return nil }
        let kind = bytes[index]
        index += 1
        switch kind {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): return kind
        case UInt8(ascii: "b"): return 0x08
        case UInt8(ascii: "f"): return 0x0C
        case UInt8(ascii: "n"): return 0x0A
        case UInt8(ascii: "r"): return 0x0D
        case UInt8(ascii: "t"): return 0x09
        case UInt8(ascii: "u"):
            guard bytes.count - index >= 4 else { return nil }
            var value: UInt32 = 0
            for _ in 0..<4 {
                guard let digit = Self.hexValue(bytes[index]) else { return nil }
                value = value << 4 | digit
                index += 1
            }
            return value < 0x80 ? UInt8(value) : nil
        default: return nil
        }
    }

    private static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }
}
