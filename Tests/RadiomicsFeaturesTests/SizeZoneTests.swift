import RadiomicsCore
@testable import RadiomicsFeatures
import Testing

@Suite struct SizeZoneTests {
    @Test func digitalPhantomCompliance() {
        let values = SizeZoneFeatures.compute(DigitalPhantom.discretised, settings: TextureSettings())
        assertCompliance(values, references: DigitalPhantom.references(prefix: "szm"), family: "szm")
    }
}
