import RadiomicsFeatures
import Testing

@Suite struct ReferenceValueTests {
    @Test func significantDigitsFollowTheWrittenReference() {
        #expect(ReferenceValue(tag: "a", text: "0.698", tolerance: 0).significantDigits == 3)
        #expect(ReferenceValue(tag: "a", text: "125256", tolerance: 0).significantDigits == 6)
        #expect(ReferenceValue(tag: "a", text: "2.1", tolerance: 0).significantDigits == 3)
        #expect(ReferenceValue(tag: "a", text: "-0.0123", tolerance: 0).significantDigits == 3)
        #expect(ReferenceValue(tag: "a", text: "4.6e-05", tolerance: 0).significantDigits == 3)
        #expect(ReferenceValue(tag: "a", text: "1490", tolerance: 0).significantDigits == 3)
        #expect(ReferenceValue(tag: "a", text: "125000", tolerance: 0).significantDigits == 3)
        #expect(ReferenceValue(tag: "a", text: "1490.0", tolerance: 0).significantDigits == 5)
    }

    @Test func roundingRuleAcceptsOnlyValuesThatRoundToTheReference() {
        let r = ReferenceValue(tag: "a", text: "0.698", tolerance: 0)
        #expect(r.accepts(0.6984))
        #expect(!r.accepts(0.6986))
        #expect(!r.accepts(.nan))
        let t = ReferenceValue(tag: "b", text: "556", tolerance: 4)
        #expect(t.accepts(559.9))
        #expect(!t.accepts(560.6))
    }
}
