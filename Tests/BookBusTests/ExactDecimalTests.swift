import SyntheticFeed
import Testing

@testable import OrderBook

@Suite struct ExactDecimalTests {
    @Test(arguments: [
        "0", "0.0", "0.00", "0.000000", "0.00000000", "65083", "65062.5", "19814.24", "0.50382230", "0.00033388",
        "123456789.123456789",
    ])
    func printsBackExactlyAsWritten(_ text: String) throws {
        #expect(try ExactDecimal(text).description == text)
    }

    @Test func zeroInEverySpellingIsZero() throws {
        for text in ["0", "0.0", "0.00", "0.000", "0.000000", "0.00000000"] {
            let value = try ExactDecimal(text)
            #expect(value.isZero)
            #expect(value == ExactDecimal.zero)
        }
    }

    @Test func equalityAndOrderAreNumericAcrossScales() throws {
        #expect(try ExactDecimal("65062.5") == ExactDecimal("65062.50000000"))
        #expect(try ExactDecimal("65062.5").hashValue == ExactDecimal("65062.500").hashValue)
        #expect(try ExactDecimal("0.1") > ExactDecimal("0.09999999"))
        #expect(try ExactDecimal("65083") > ExactDecimal("65082.99999999"))
        #expect(try ExactDecimal("-1.5") < ExactDecimal("1"))
    }

    @Test(arguments: ["", "-", ".", "1.", ".5", "1.2.3", "1e5", "+1", " 1", "1,0", "0x10", "NaN", "1_000"])
    func rejectsAnythingButPlainDecimals(_ text: String) {
        #expect(throws: DecimalError.self) { try ExactDecimal(text) }
    }

    @Test func rejectsAbsurdPrecisionAndMagnitude() throws {
        #expect(throws: DecimalError.tooManyFractionDigits(19)) { try ExactDecimal("0.0000000000000000001") }
        #expect(throws: DecimalError.outOfRange) { try ExactDecimal("99999999999999999999") }
        #expect(throws: DecimalError.outOfRange) { try ExactDecimal("9223372036854775808") }
        #expect(try ExactDecimal("9223372036854775807").mantissa == Int64.max)
        #expect(throws: DecimalError.outOfRange) { try ExactDecimal("9999999999999999999") }
    }

    /// Text of up to 18 bytes is parsed without overflow checks: the longest such values are exact.
    @Test func theLongestUncheckedTextsAreExact() throws {
        #expect(try ExactDecimal("999999999999999999").mantissa == 999_999_999_999_999_999)
        #expect(try ExactDecimal("-99999999999999999").mantissa == -99_999_999_999_999_999)
        let fraction = try ExactDecimal("0.9999999999999999")
        #expect(fraction.mantissa == 9_999_999_999_999_999 && fraction.scale == 16)
        let checked = try ExactDecimal("0.99999999999999999")
        #expect(checked.mantissa == 99_999_999_999_999_999 && checked.scale == 17)
    }

    @Test func arithmeticIsExact() throws {
        let bid = try ExactDecimal("19814.24")
        let ask = try ExactDecimal("19816.94")
        #expect(ask.subtracting(bid)?.description == "2.70")
        #expect(bid.adding(ask)?.halved()?.description == "19815.59")
        let ethMid = try ExactDecimal("1088.41").adding(ExactDecimal("1088.70"))?.halved()
        #expect(ethMid?.description == "1088.555")
        #expect(try ExactDecimal("0.1").adding(ExactDecimal("0.2")) == ExactDecimal("0.3"))
        #expect(try ExactDecimal("2.5").multiplied(by: ExactDecimal("4"))?.description == "10.0")
    }

    @Test func divisionRoundsHalfAwayFromZero() throws {
        let two = ExactDecimal(integer: 2)
        #expect(try ExactDecimal("1").divided(by: ExactDecimal("3"), fractionDigits: 4)?.description == "0.3333")
        #expect(try ExactDecimal("2").divided(by: ExactDecimal("3"), fractionDigits: 4)?.description == "0.6667")
        #expect(try ExactDecimal("0.00005").divided(by: two, fractionDigits: 4)?.description == "0.0000")
        #expect(try ExactDecimal("0.00015").divided(by: ExactDecimal("1"), fractionDigits: 4)?.description == "0.0002")
        #expect(try ExactDecimal("-1").divided(by: ExactDecimal("3"), fractionDigits: 2)?.description == "-0.33")
        #expect(try ExactDecimal("1").divided(by: ExactDecimal("0"), fractionDigits: 2) == nil)
    }

    /// Rescaling multiplies by each power of ten up to the 18 digits an `Int64` holds, keeps the
    /// mantissa at its own scale, and refuses a smaller scale or a product that overflows.
    @Test func mantissaAtAWiderScaleUsesEveryPowerOfTen() throws {
        let one = ExactDecimal(integer: 1)
        var power: Int64 = 1
        for scale in UInt8(0)...18 {
            #expect(one.mantissa(atScale: scale) == power)
            if scale < 18 { power *= 10 }
        }
        let price = try ExactDecimal("19814.24")
        #expect(price.mantissa(atScale: 2) == 1_981_424)
        #expect(price.mantissa(atScale: 8) == 1_981_424_000_000)
        #expect(price.mantissa(atScale: 1) == nil)
        #expect(price.mantissa(atScale: 18) == nil)
    }

    @Test func overflowIsReportedNotWrapped() throws {
        let big = try ExactDecimal("9223372036854775807")
        #expect(big.adding(ExactDecimal(integer: 1)) == nil)
        #expect(try big.subtracting(ExactDecimal("0.1")) == nil)
        #expect(big.multiplied(by: ExactDecimal(integer: 2)) == nil)
    }

    /// The short-text path (a word at a time for eight fraction digits) against the checking
    /// parser, byte by byte: the same value and scale, or the same error, on random and damaged text.
    @Test func theShortTextPathAgreesWithTheCheckingParser() {
        var random = SplitMix64(seed: 7)
        let damage = Array("0123456789.-:/ a".utf8)
        var plainValues = 0
        for _ in 0..<200_000 {
            var text: [UInt8] = Bool.random(using: &random) ? [UInt8(ascii: "-")] : []
            for _ in 0..<Int.random(in: 0...9, using: &random) {
                text.append(UInt8.random(in: 48...57, using: &random))
            }
            if Int.random(in: 0..<4, using: &random) > 0 {
                text.append(UInt8(ascii: "."))
                let fraction = [8, 8, 0, 1, 2, 7, 9, 10, 12].randomElement(using: &random)!
                for _ in 0..<fraction { text.append(UInt8.random(in: 48...57, using: &random)) }
            }
            if Int.random(in: 0..<3, using: &random) == 0, !text.isEmpty {
                text[Int.random(in: 0..<text.count, using: &random)] = damage.randomElement(using: &random)!
            }
            let (fast, checked) = text.withUnsafeBufferPointer { bytes in
                (
                    Result { () throws(DecimalError) in try ExactDecimal(utf8: bytes) },
                    Result { () throws(DecimalError) in try ExactDecimal(checkingUTF8: bytes) }
                )
            }
            let agree =
                switch (fast, checked) {
                case (.success(let a), .success(let b)): a.mantissa == b.mantissa && a.scale == b.scale
                case (.failure(let a), .failure(let b)): a == b
                default: false
                }
            #expect(agree, "\(String(decoding: text, as: UTF8.self))")
            if case .success = fast { plainValues += 1 }
        }
        #expect(plainValues > 50_000, "most texts are well formed")
    }
}
