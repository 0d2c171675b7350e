/// An exact decimal number, `mantissa × 10^-scale`, as Coinbase spells prices and sizes.
///
/// The value keeps the number of fractional digits it was written with, so `"0.50382230"` prints
/// back as `"0.50382230"` and `"2.70"` as `"2.70"`. Equality, hashing and ordering are numeric:
/// `"0.0" == "0.00000000"`. Arithmetic is exact or reports overflow; nothing goes through `Double`.
public struct ExactDecimal: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The digits of the number without its decimal point.
    public let mantissa: Int64
    /// How many of those digits stand after the decimal point (0 ... ``maxScale``).
    public let scale: UInt8

    /// The most fractional digits a value may have; more is rejected as absurd precision.
    public static let maxScale: UInt8 = 18

    /// Zero with no fractional digits.
    public static let zero = ExactDecimal(uncheckedMantissa: 0, scale: 0)

    /// An integer with no fractional digits.
    public init(integer: Int64) {
        self.init(uncheckedMantissa: integer, scale: 0)
    }

    /// `mantissa × 10^-scale`, as a decimal written with `scale` fractional digits; `nil` when
    /// `scale` is above ``maxScale``.
    public init?(mantissa: Int64, scale: UInt8) {
        guard scale <= Self.maxScale else { return nil }
        self.init(uncheckedMantissa: mantissa, scale: scale)
    }

    init(uncheckedMantissa mantissa: Int64, scale: UInt8) {
        self.mantissa = mantissa
        self.scale = scale
    }

    /// Parses a plain decimal string such as `"65062.5"`, `"0.00000000"` or `"-3"`.
    public init(_ text: String) throws(DecimalError) {
        var text = text
        let parsed = text.withUTF8 { bytes in Result { () throws(DecimalError) in try ExactDecimal(utf8: bytes) } }
        self = try parsed.get()
    }

    /// Any 18 decimal digits fit in an `Int64`: text no longer than this needs no overflow checks.
    private static let digitsThatAlwaysFit = 18

    /// Parses plain decimal ASCII: an optional `-`, digits, and an optional `.` followed by digits
    /// (so `.5` and `1.` are refused).
    /// No exponent, no `+`, no spaces. At most ``maxScale`` fractional digits, and the digits must fit
    /// in 63 bits.
    public init(utf8 bytes: UnsafeBufferPointer<UInt8>) throws(DecimalError) {
        if let plain = Self.plain(bytes) {
            self = plain
            return
        }
        try self.init(checkingUTF8: bytes)
    }

    /// The value of text of at most ``digitsThatAlwaysFit`` bytes in the plain form (`-`, digits,
    /// then `.` and digits), or `nil` for anything else, which the checking parser then refuses
    /// with the precise error. Prices and sizes are short: this path needs no overflow checks, and
    /// reads a fraction of eight digits (Exchange sizes) as one word.
    @inline(__always)
    private static func plain(_ bytes: UnsafeBufferPointer<UInt8>) -> ExactDecimal? {
        let count = bytes.count
        guard count > 0, count <= digitsThatAlwaysFit else { return nil }
        let negative = bytes[0] == UInt8(ascii: "-")
        var index = negative ? 1 : 0
        let integerStart = index
        var mantissa: Int64 = 0
        accumulateDigits(bytes, at: &index, into: &mantissa)
        guard index > integerStart else { return nil }
        var scale = 0
        if index < count {
            guard bytes[index] == UInt8(ascii: ".") else { return nil }
            index += 1
            let fractionStart = index
            if count - index >= 8 {
                let word = UInt64(
                    littleEndian: UnsafeRawPointer(bytes.baseAddress! + index).loadUnaligned(as: UInt64.self))
                if let eight = EightDigits.value(of: word) {
                    mantissa = mantissa &* 100_000_000 &+ Int64(eight)
                    index += 8
                }
            }
            accumulateDigits(bytes, at: &index, into: &mantissa)
            guard index == count, index > fractionStart else { return nil }
            scale = count - fractionStart
        }
        return ExactDecimal(uncheckedMantissa: negative ? -mantissa : mantissa, scale: UInt8(scale))
    }

    /// Takes the run of digits at `index` into `mantissa`, without overflow checks.
    @inline(__always)
    private static func accumulateDigits(
        _ bytes: UnsafeBufferPointer<UInt8>, at index: inout Int, into mantissa: inout Int64
    ) {
        while index < bytes.count, case let digit = bytes[index] &- UInt8(ascii: "0"), digit < 10 {
            mantissa = mantissa &* 10 &+ Int64(digit)
            index += 1
        }
    }

    /// Parses as ``init(utf8:)`` does, one byte at a time with every check, for any length.
    init(checkingUTF8 bytes: UnsafeBufferPointer<UInt8>) throws(DecimalError) {
        var index = 0
        let count = bytes.count
        guard count > 0 else { throw .empty }
        var negative = false
        if bytes[0] == UInt8(ascii: "-") {
            negative = true
            index = 1
        }
        var mantissa: Int64 = 0
        var scale = 0
        var digits = 0
        var seenPoint = false
        while index < count {
            let byte = bytes[index]
            if byte == UInt8(ascii: ".") {
                guard !seenPoint, digits > 0 else { throw .invalidCharacter(position: index) }
                seenPoint = true
            } else if byte &- UInt8(ascii: "0") < 10 {
                if seenPoint {
                    scale += 1
                    guard scale <= Int(Self.maxScale) else { throw .tooManyFractionDigits(scale) }
                }
                let (times10, overflow1) = mantissa.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times10.addingReportingOverflow(Int64(byte &- UInt8(ascii: "0")))
                guard !overflow1, !overflow2 else { throw .outOfRange }
                mantissa = sum
                digits += 1
            } else {
                throw .invalidCharacter(position: index)
            }
            index += 1
        }
        guard digits > 0 else { throw .noDigits }
        if seenPoint && scale == 0 { throw .noDigits }
        self.mantissa = negative ? -mantissa : mantissa
        self.scale = UInt8(scale)
    }

    /// True when the value is zero, in any spelling.
    public var isZero: Bool { mantissa == 0 }

    /// True when the value is below zero.
    public var isNegative: Bool { mantissa < 0 }

    /// The number written with exactly ``scale`` fractional digits.
    public var description: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        appendText(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the number, written with exactly ``scale`` fractional digits, as ASCII.
    public func appendText(to bytes: inout [UInt8]) {
        // The text is built right to left in a stack buffer, then appended in one copy: at most 19
        // digits, a point, a sign and up to 18 leading zeros of a small fraction fit in 48 bytes.
        var buffer: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &buffer) { text in
            var start = text.count
            var magnitude = mantissa.magnitude
            var written = 0
            repeat {
                if written == Int(scale) && written > 0 {
                    start -= 1
                    text[start] = UInt8(ascii: ".")
                }
                start -= 1
                text[start] = UInt8(truncatingIfNeeded: magnitude % 10) &+ UInt8(ascii: "0")
                magnitude /= 10
                written += 1
            } while magnitude > 0 || written <= Int(scale)
            if mantissa < 0 {
                start -= 1
                text[start] = UInt8(ascii: "-")
            }
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: text[start...]))
        }
    }

    /// The mantissa scaled up to `scale` digits, if it fits in 64 bits.
    public func mantissa(atScale target: UInt8) -> Int64? {
        if target == scale { return mantissa }
        guard target > scale else { return nil }
        let (value, overflow) = mantissa.multipliedReportingOverflow(by: powerOfTen(target - scale))
        return overflow ? nil : value
    }

    /// `self + other`, exact, with the larger of the two scales; `nil` on overflow.
    public func adding(_ other: ExactDecimal) -> ExactDecimal? {
        let target = max(scale, other.scale)
        guard let left = mantissa(atScale: target), let right = other.mantissa(atScale: target) else { return nil }
        let (sum, overflow) = left.addingReportingOverflow(right)
        return overflow ? nil : ExactDecimal(uncheckedMantissa: sum, scale: target)
    }

    /// `self - other`, exact, with the larger of the two scales; `nil` on overflow.
    public func subtracting(_ other: ExactDecimal) -> ExactDecimal? {
        let target = max(scale, other.scale)
        guard let left = mantissa(atScale: target), let right = other.mantissa(atScale: target) else { return nil }
        let (difference, overflow) = left.subtractingReportingOverflow(right)
        return overflow ? nil : ExactDecimal(uncheckedMantissa: difference, scale: target)
    }

    /// `self / 2`, exact: one more fractional digit when the mantissa is odd; `nil` past ``maxScale``.
    public func halved() -> ExactDecimal? {
        if mantissa % 2 == 0 { return ExactDecimal(uncheckedMantissa: mantissa / 2, scale: scale) }
        guard scale < Self.maxScale else { return nil }
        let (times5, overflow) = mantissa.multipliedReportingOverflow(by: 5)
        return overflow ? nil : ExactDecimal(uncheckedMantissa: times5, scale: scale + 1)
    }

    /// `self / divisor` rounded half away from zero to `fractionDigits` digits; `nil` when the
    /// divisor is zero or the result does not fit.
    public func divided(by divisor: ExactDecimal, fractionDigits: UInt8) -> ExactDecimal? {
        guard divisor.mantissa != 0, fractionDigits <= Self.maxScale else { return nil }
        // self/divisor × 10^f = m1 × 10^(f + s2 - s1) / m2
        let exponent = Int(fractionDigits) + Int(divisor.scale) - Int(scale)
        var numerator = Int128(mantissa)
        var denominator = Int128(divisor.mantissa)
        if exponent >= 0 {
            for _ in 0..<exponent {
                let (next, overflow) = numerator.multipliedReportingOverflow(by: 10)
                guard !overflow else { return nil }
                numerator = next
            }
        } else {
            for _ in 0..<(-exponent) {
                let (next, overflow) = denominator.multipliedReportingOverflow(by: 10)
                guard !overflow else { return nil }
                denominator = next
            }
        }
        let negative = (numerator < 0) != (denominator < 0)
        let a = numerator.magnitude
        let b = denominator.magnitude
        var quotient: UInt128
        let remainder: UInt128
        if a <= UInt128(UInt64.max) && b <= UInt128(UInt64.max) {
            // The common case fits a 64-bit division, several times cheaper than a 128-bit one.
            let (q, r) = UInt64(a).quotientAndRemainder(dividingBy: UInt64(b))
            (quotient, remainder) = (UInt128(q), UInt128(r))
        } else {
            (quotient, remainder) = a.quotientAndRemainder(dividingBy: b)
        }
        if remainder * 2 >= b { quotient += 1 }
        guard quotient <= UInt128(Int64.max) else { return nil }
        let value = Int64(quotient)
        return ExactDecimal(uncheckedMantissa: negative ? -value : value, scale: fractionDigits)
    }

    /// `self × other`, exact; `nil` on overflow or past ``maxScale``.
    public func multiplied(by other: ExactDecimal) -> ExactDecimal? {
        let scale = Int(scale) + Int(other.scale)
        guard scale <= Int(Self.maxScale) else { return nil }
        let (product, overflow) = mantissa.multipliedReportingOverflow(by: other.mantissa)
        return overflow ? nil : ExactDecimal(uncheckedMantissa: product, scale: UInt8(scale))
    }

    /// The mantissa at scale ``maxScale`` in 128 bits: a common ground for exact comparison.
    private var wideMantissa: Int128 {
        Int128(mantissa) * Int128(powerOfTen(Self.maxScale - scale))
    }

    public static func < (lhs: ExactDecimal, rhs: ExactDecimal) -> Bool {
        if lhs.scale == rhs.scale { return lhs.mantissa < rhs.mantissa }
        return lhs.wideMantissa < rhs.wideMantissa
    }

    public static func == (lhs: ExactDecimal, rhs: ExactDecimal) -> Bool {
        if lhs.scale == rhs.scale { return lhs.mantissa == rhs.mantissa }
        return lhs.wideMantissa == rhs.wideMantissa
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(wideMantissa)
    }
}

/// Why a decimal string was rejected.
public enum DecimalError: Error, Equatable, CustomStringConvertible {
    case empty
    case noDigits
    case invalidCharacter(position: Int)
    case tooManyFractionDigits(Int)
    case outOfRange

    public var description: String {
        switch self {
        case .empty: "empty number"
        case .noDigits: "number has no digits"
        case .invalidCharacter(let position):
            "invalid character at position \(position) (plain decimal digits expected)"
        case .tooManyFractionDigits(let digits):
            "\(digits) fractional digits exceed the maximum of \(ExactDecimal.maxScale)"
        case .outOfRange: "number does not fit in 63 bits of digits"
        }
    }
}

/// 10^exponent for 0 ... 18.
@inline(__always)
func powerOfTen(_ exponent: UInt8) -> Int64 {
    precondition(exponent <= 18, "10^\(exponent) does not fit in Int64")
    return powersOfTen[Int(exponent)]
}

/// Written out as literals, so the compiler lays the table out statically: a computed table is
/// initialised lazily, and every read of it then goes through a `swift_once` check.
private let powersOfTen: [Int64] = [
    1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000, 10_000_000_000,
    100_000_000_000, 1_000_000_000_000, 10_000_000_000_000, 100_000_000_000_000, 1_000_000_000_000_000,
    10_000_000_000_000_000, 100_000_000_000_000_000, 1_000_000_000_000_000_000,
]
