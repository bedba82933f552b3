import RadiomicsCore
@testable import RadiomicsFeatures
import Testing

@Suite struct DistanceZoneTests {
    @Test func digitalPhantomCompliance() {
        let values = DistanceZoneFeatures.compute(DigitalPhantom.discretised, settings: TextureSettings())
        assertCompliance(values, references: DigitalPhantom.references(prefix: "dzm"), family: "dzm")
    }
}
