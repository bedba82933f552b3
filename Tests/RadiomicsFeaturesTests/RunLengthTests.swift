import RadiomicsCore
@testable import RadiomicsFeatures
import Testing

@Suite struct RunLengthTests {
    @Test func digitalPhantomCompliance() {
        let values = RunLengthFeatures.compute(DigitalPhantom.discretised, settings: TextureSettings())
        assertCompliance(values, references: DigitalPhantom.references(prefix: "rlm"), family: "rlm")
    }
}
